#!/usr/bin/env bash
# Makes sure Debian's chromium is installed for the tests that open the status page
# (/debug/ui) in a real headless browser (driven by playwright-core, which never
# downloads a browser of its own). Installs the `chromium` package when /usr/bin/chromium
# is missing.
# Source this file: `. .ci/chromium.sh`.
. "$(dirname "${BASH_SOURCE[0]}")/debian.sh"
ci_install_debian chromium /usr/bin/chromium || return 1 2>/dev/null || exit 1
echo "using $(/usr/bin/chromium --version 2>/dev/null | head -1)" >&2
