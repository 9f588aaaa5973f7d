#!/bin/sh
# Build the CVODE comparator into bench/build/ (gitignored). Needs gcc and SUNDIALS (Debian: libsundials-dev).
set -e
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../build"
mkdir -p "$out"
gcc -O2 -std=c11 -D_POSIX_C_SOURCE=199309L -Wall -Wextra -o "$out/cvode-driver" "$here/driver.c" \
  -lsundials_cvode -lsundials_sunlinsoldense -lsundials_sunmatrixdense -lsundials_nvecserial -lm
echo "$out/cvode-driver"
