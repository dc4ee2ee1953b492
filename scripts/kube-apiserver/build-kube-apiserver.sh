#!/usr/bin/env bash
# Build a kube-apiserver binary from Debian's archive alone (no internet
# besides apt) and cache it.  Idempotent: if the cached binary exists and
# answers --version, nothing is done.
#
#   KUBE_CACHE_DIR   where the binary (and the build tree) go
#                    (default: $HOME/.cache/meshtrace-kube)
#   KUBE_KEEP_BUILD  1 = keep the unpacked/built source tree (default: 0)
#
# Result: $KUBE_CACHE_DIR/kube-apiserver (Kubernetes v1.20.2, static, CGO off)
# Needs root (or sudo) for apt-get.  Takes ~8-9 min on 2 cores (mostly the
# code generators that `make` runs before compiling kube-apiserver).
set -euo pipefail

CACHE_DIR="${KUBE_CACHE_DIR:-$HOME/.cache/meshtrace-kube}"
BIN="$CACHE_DIR/kube-apiserver"
BUILD_DIR="$CACHE_DIR/build"
T0=$(date +%s)

log() { printf '[build-kube-apiserver %4ss] %s\n' "$(( $(date +%s) - T0 ))" "$*"; }

if [[ -x "$BIN" ]] && "$BIN" --version >/dev/null 2>&1; then
  log "cached binary OK: $BIN ($("$BIN" --version))"
  exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "need root or sudo for apt-get" >&2; exit 1; }
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive

# ---- 1. apt sources: make sure deb-src entries exist -------------------------
have_deb_src() {
  grep -rqsE '^(deb-src|Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null
}
if ! have_deb_src; then
  log "no deb-src entries; adding /etc/apt/sources.list.d/meshtrace-deb-src.*"
  # deb822 files: copy each stanza that has 'Types: deb', as 'Types: deb-src'
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -e "$f" ]] || continue
    case "$f" in *meshtrace-deb-src*) continue;; esac
    grep -q '^Types:.*\bdeb\b' "$f" || continue
    awk 'BEGIN{RS=""; ORS="\n\n"} /(^|\n)Types:[^\n]*deb/ {sub(/Types:[^\n]*/, "Types: deb-src"); print}' "$f"
  done | $SUDO tee /etc/apt/sources.list.d/meshtrace-deb-src.sources >/dev/null
  # one-line format
  if [[ -f /etc/apt/sources.list ]]; then
    sed -n 's/^deb \(.*\)$/deb-src \1/p' /etc/apt/sources.list \
      | $SUDO tee /etc/apt/sources.list.d/meshtrace-deb-src.list >/dev/null
  fi
fi

log "apt-get update"
$SUDO apt-get update -qq

PKGS=(golang-go golang-github-modern-go-reflect2-dev etcd-server openssl dpkg-dev make rsync curl ca-certificates)
log "apt-get install ${PKGS[*]}"
# policy-rc.d in containers stops etcd-server's service from starting; that's fine,
# we only want the binary (the start script runs etcd itself).
$SUDO apt-get install -y -qq --no-install-recommends "${PKGS[@]}" >/dev/null
log "$(go version); etcd $(etcd --version | sed -n 's/^etcd Version: //p')"

# ---- 2. sources -------------------------------------------------------------
mkdir -p "$BUILD_DIR"
cd "$BUILD_DIR"
SRC=$(ls -d kubernetes-*/ 2>/dev/null | head -n1 || true)
if [[ -z "$SRC" ]]; then
  log "apt-get source kubernetes (~35 MB)"
  # as root apt warns that the download is unsandboxed; harmless
  apt-get source -qq kubernetes 2>&1 | grep -v 'unsandboxed' || true
  SRC=$(ls -d kubernetes-*/ | head -n1)
fi
SRC="$BUILD_DIR/${SRC%/}"
log "source tree: $SRC"
cd "$SRC"

# ---- 3. patch vendored reflect2 (v1.0.1 crashes on Go >= 1.18) ---------------
R2=/usr/share/gocode/src/github.com/modern-go/reflect2
if [[ ! -f vendor/github.com/modern-go/reflect2/go_above_118.go ]]; then
  log "replacing vendor/github.com/modern-go/reflect2 with Debian's $(dpkg-query -W -f='${Version}' golang-github-modern-go-reflect2-dev)"
  rm -rf vendor/github.com/modern-go/reflect2
  cp -r "$R2" vendor/github.com/modern-go/reflect2
fi

# ---- 4. build -----------------------------------------------------------------
log "make WHAT=cmd/kube-apiserver (log: $BUILD_DIR/make.log; ~8 min on 2 cores)"
export GOPROXY=off GOFLAGS=-mod=vendor CGO_ENABLED=0 GOTOOLCHAIN=local
if ! HOME="$BUILD_DIR/home" make WHAT=cmd/kube-apiserver >"$BUILD_DIR/make.log" 2>&1; then
  log "make failed (tail of log below); falling back to plain go build"
  tail -n 20 "$BUILD_DIR/make.log" >&2
  mkdir -p _output/bin
  # version ldflags as the Makefile would set them (tarball is a git archive of v1.20.2)
  V=$(sed -n 's/.*tag: \(v[0-9][^,)]*\).*/\1/p' hack/lib/version.sh | head -n1)
  LD="-s -w -X k8s.io/component-base/version.gitVersion=${V:-v1.20.2} -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=20"
  HOME="$BUILD_DIR/home" go build -mod=vendor -ldflags "$LD" -o _output/bin/kube-apiserver ./cmd/kube-apiserver \
    >>"$BUILD_DIR/make.log" 2>&1
fi

OUT=_output/bin/kube-apiserver
[[ -x "$OUT" ]] || OUT=$(find _output -type f -name kube-apiserver -perm -u+x | head -n1)
"$OUT" --version >/dev/null
install -m 0755 "$OUT" "$BIN.tmp" && mv "$BIN.tmp" "$BIN"
log "installed $BIN ($("$BIN" --version), $(du -h "$BIN" | cut -f1))"

if [[ "${KUBE_KEEP_BUILD:-0}" != 1 ]]; then
  log "removing build tree (set KUBE_KEEP_BUILD=1 to keep it)"
  rm -rf "$BUILD_DIR"
fi
log "done in $(( $(date +%s) - T0 ))s"
