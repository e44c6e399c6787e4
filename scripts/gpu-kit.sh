#!/usr/bin/env bash
# Prepares what a GPU machine without dotnet or network needs (see ../shared/GPU.md): the `repro` command line and the
# test executable (xunit.v3: `Repro.Tests -filterVSTest "Category=Repro"` is `dotnet test --filter Category=Repro`
# without the SDK), published self-contained into one folder against an external libtorch (PyTorch's, there), and the
# Fashion-MNIST/MNIST data, packed under .gpu-kit/ (ignored by git; name it in the device tool's `carry`). Everything
# that travels must fit in 64 MiB. Run scripts/gpu-accept.sh (or gpu-session.sh) there.
set -euo pipefail
cd "$(dirname "$0")/.."
kit=.gpu-kit
rm -rf "$kit" && mkdir -p "$kit"
publish=$(mktemp -d)
# GpuKit=true leaves VSTest and the browser test's driver out of the test executable (Repro.Tests.csproj).
for project in Repro.Cli Repro.Tests; do
  dotnet publish "$project" -c Release -r linux-x64 --self-contained -p:TorchBackend=external -p:GpuKit=true \
    -nologo -v quiet -clp:ErrorsOnly -o "$publish/app"
done
# The publishes use their own obj/ assets; restore the default (cpu) build's assets for local work afterwards.
dotnet restore Repro.sln -v quiet >/dev/null
# SkiaSharp's native libraries stay: the Repro tests write the report (ScottPlot draws with them).
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
# The device tool carries the working tree and the kit together, 64 MiB at most.
total=$(( $(git ls-files -z | xargs -0 cat | wc -c) + $(cat "$kit"/* | wc -c) ))
echo "kit + tracked files: $((total / 1024 / 1024)) MiB of 64"
[ "$total" -le $((64 * 1024 * 1024)) ] || { echo "too large to carry to the GPU machine" >&2; exit 1; }
