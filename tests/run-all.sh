#!/bin/sh
# placeholder; replaced by the real runner
bin=$1; shift
for t in "$@"; do "$t" || exit 1; done
