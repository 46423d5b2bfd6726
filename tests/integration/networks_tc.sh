#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# networks.sh in tc mode.
NETWORKS_MODE=tc exec "$(dirname "$0")/networks.sh" "$@"
