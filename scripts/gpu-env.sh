# Sourced by the GPU-machine scripts: unpacks the kit made by scripts/gpu-kit.sh and points repro at PyTorch's libtorch.
# Leaves: $kit (the unpacked kit; its app in $kit/app/repro), $out (results folder, $OUT or /tmp/repro-out), REPRO_DATA.
out=${OUT:-/tmp/repro-out}
kit=/tmp/repro-kit
mkdir -p "$out" "$kit"
[ -x "$kit/app/repro" ] || tar -xJf .gpu-kit/repro.tar.xz -C "$kit"
[ -d "$kit/data" ] || tar -xJf .gpu-kit/data.tar.xz -C "$kit"
torch_lib=${TORCH_LIB:-$(python3 -c "import torch,os;print(os.path.dirname(torch.__file__))")/lib}
export LD_LIBRARY_PATH="$torch_lib:${LD_LIBRARY_PATH:-}"
export REPRO_DATA="$kit/data"
[ -f .gpu-kit/commit.txt ] && export REPRO_COMMIT=$(cat .gpu-kit/commit.txt)
{ nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv || echo "no nvidia-smi"; python3 -c "import torch;print('torch', torch.__version__)"; echo "commit ${REPRO_COMMIT:-$(git describe --always --dirty 2>/dev/null)}"; } > "$out/machine.txt"
