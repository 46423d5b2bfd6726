#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# jobs_networks.sh in tc mode.
JOBS_MODE=tc exec "$(dirname "$0")/jobs_networks.sh" "$@"
