# pdtt configure macros. Licence: GPL-2.0-or-later.

# PDTT_REQUIRE_PKG(VARIABLE-PREFIX, MODULES, DEBIAN-PACKAGE, RHEL-PACKAGE)
# ------------------------------------------------------------------------
# pkg-config check that stops configure with the package names to install.
AC_DEFUN([PDTT_REQUIRE_PKG], [
  PKG_CHECK_MODULES([$1], [$2], [],
    [AC_MSG_ERROR([$2 not found (pkg-config: $$1_PKG_ERRORS).
Install it: Debian/Ubuntu: apt-get install $3; RHEL/Fedora: dnf install $4])])
])

# PDTT_CHECK_BPF_TOOLCHAIN
# ------------------------
# clang able to target BPF, llvm-strip, and a bpftool with "gen skeleton".
# Sets CLANG, LLVM_STRIP, BPFTOOL and BPF_SYS_INCLUDES (the host's system include
# directories as -idirafter flags, so that <asm/types.h> resolves with -target bpf).
AC_DEFUN([PDTT_CHECK_BPF_TOOLCHAIN], [
  AC_ARG_VAR([CLANG], [clang used to compile the BPF programs])
  AC_ARG_VAR([LLVM_STRIP], [llvm-strip used to strip the BPF objects])
  AC_ARG_VAR([BPFTOOL], [bpftool used to generate the libbpf skeletons])
  AC_PATH_PROGS([CLANG], [clang clang-19 clang-18 clang-17 clang-16 clang-15 clang-14])
  AS_IF([test -z "$CLANG"],
    [AC_MSG_ERROR([clang not found. Install it: Debian/Ubuntu: apt-get install clang; RHEL/Fedora: dnf install clang])])
  AC_MSG_CHECKING([whether $CLANG can compile for the BPF target])
  AS_IF([echo 'int x;' | $CLANG -target bpf -c -x c -o /dev/null - >/dev/null 2>&1],
    [AC_MSG_RESULT([yes])],
    [AC_MSG_RESULT([no])
     AC_MSG_ERROR([$CLANG cannot target BPF. Install an LLVM with the BPF backend: Debian/Ubuntu: apt-get install clang llvm; RHEL/Fedora: dnf install clang llvm])])
  AC_PATH_PROGS([LLVM_STRIP], [llvm-strip llvm-strip-19 llvm-strip-18 llvm-strip-17 llvm-strip-16 llvm-strip-15 llvm-strip-14])
  AS_IF([test -z "$LLVM_STRIP"],
    [AC_MSG_ERROR([llvm-strip not found. Install it: Debian/Ubuntu: apt-get install llvm; RHEL/Fedora: dnf install llvm])])
  AC_PATH_PROG([BPFTOOL], [bpftool], [], [$PATH:/usr/sbin:/sbin])
  AS_IF([test -z "$BPFTOOL"],
    [AC_MSG_ERROR([bpftool not found. Install it: Debian/Ubuntu: apt-get install bpftool; RHEL/Fedora: dnf install bpftool])])
  AC_MSG_CHECKING([whether $BPFTOOL supports gen skeleton])
  AS_IF([$BPFTOOL gen help 2>&1 | grep -q 'gen skeleton'],
    [AC_MSG_RESULT([yes])],
    [AC_MSG_RESULT([no])
     AC_MSG_ERROR([$BPFTOOL cannot generate skeletons; install a newer bpftool (Debian/Ubuntu: bpftool; RHEL/Fedora: bpftool)])])
  BPF_SYS_INCLUDES=`$CLANG -v -E - </dev/null 2>&1 | $SED -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }' | tr '\n' ' '`
  AC_SUBST([BPF_SYS_INCLUDES])
])
