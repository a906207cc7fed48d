#!/usr/bin/env bash
# Move a finished edition into _build/dist. A copy is made beside the
# destination first and then swapped in by rename, so readers of dist/
# never see a half-written edition, and a failed build (which never gets
# here) leaves the previous one in place.
set -euo pipefail
src=$1
dest=$2
mkdir -p "$(dirname "$dest")"
rm -rf "$dest.new" "$dest.old"
cp -a "$src" "$dest.new"
if [ -e "$dest" ]; then mv "$dest" "$dest.old"; fi
mv "$dest.new" "$dest"
rm -rf "$dest.old"
