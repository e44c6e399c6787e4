#!/usr/bin/env bash
# Prepares what a GPU machine without dotnet or network needs (see ../shared/GPU.md): a self-contained `repro` built
# against an external libtorch (PyTorch's, there) and the Fashion-MNIST/MNIST data, packed under .gpu-kit/ (ignored by
# git; name it in the device tool's `carry`). Run scripts/gpu-session.sh there.
set -euo pipefail
cd "$(dirname "$0")/.."
kit=.gpu-kit
rm -rf "$kit" && mkdir -p "$kit"
publish=$(mktemp -d)
dotnet publish Repro.Cli -c Release -r linux-x64 --self-contained -p:TorchBackend=external \
  -nologo -v quiet -clp:ErrorsOnly -o "$publish/app"
# The publish uses its own obj/ assets; restore the default (cpu) build's assets for local work afterwards.
dotnet restore Repro.sln -v quiet >/dev/null
# The whole tree must travel in 64 MiB: training needs no plotting or image decoding, so SkiaSharp's native libraries
# (ScottPlot's renderer, `repro score`'s PNG/JPEG decoder, which says so when asked to decode) stay behind.
rm -f "$publish/app/libSkiaSharp.so" "$publish/app/libHarfBuzzSharp.so"
tar -cJf "$kit/repro.tar.xz" -C "$publish" app
git describe --always --dirty --abbrev=12 > "$kit/commit.txt"   # units record it (Runs/Provenance.cs): no checkout there
# Data: the IDX files decoded (xz packs the raw bytes 4 MB smaller than Debian's .gz), MNIST's JSON digits as they are.
data=${REPRO_DATA:-data}
mkdir -p "$publish/data/fashion-mnist"
for f in "$data"/fashion-mnist/*.gz; do gunzip -c "$f" > "$publish/data/fashion-mnist/$(basename "$f" .gz)"; done
cp -r "$data/mnist" "$publish/data/"
tar -cJf "$kit/data.tar.xz" -C "$publish" data
rm -rf "$publish"
du -ch "$kit"/* | tail -n 3
