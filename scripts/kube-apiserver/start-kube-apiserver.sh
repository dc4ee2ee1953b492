#!/usr/bin/env bash
# Start etcd + kube-apiserver on free loopback ports, wait for /readyz, write a
# kubeconfig.  Processes are detached; stop them with stop-kube-apiserver.sh.
#
# usage: start-kube-apiserver.sh [KUBECONFIG_OUT]
#   KUBECONFIG_OUT      where to write the kubeconfig (default: $STATE_DIR/kubeconfig)
# env:
#   KUBE_CACHE_DIR      dir with the kube-apiserver binary (default $HOME/.cache/meshtrace-kube)
#   KUBE_APISERVER_BIN  explicit binary path (overrides KUBE_CACHE_DIR)
#   ETCD_BIN            etcd binary (default: etcd from PATH, Debian's etcd-server)
#   KUBE_STATE_DIR      state dir to use (default: a new mktemp -d)
#   KUBE_READY_TIMEOUT  seconds to wait for /readyz (default 90)
#   KUBE_APISERVER_EXTRA_ARGS  extra flags appended to kube-apiserver's command line
#
# Prints KEY=VALUE lines on stdout (also saved in $STATE_DIR/env, sourceable):
#   KUBE_STATE_DIR KUBECONFIG KUBE_APISERVER_URL KUBE_TOKEN KUBE_CA_FILE
#   KUBE_APISERVER_PORT ETCD_PORT ETCD_PEER_PORT KUBE_APISERVER_PID ETCD_PID
#   KUBE_STARTUP_MS
# Progress goes to stderr.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE_DIR="${KUBE_CACHE_DIR:-$HOME/.cache/meshtrace-kube}"
APISERVER="${KUBE_APISERVER_BIN:-$CACHE_DIR/kube-apiserver}"
ETCD="${ETCD_BIN:-$(command -v etcd || echo /usr/bin/etcd)}"
TIMEOUT="${KUBE_READY_TIMEOUT:-90}"

log() { echo "[start-kube-apiserver] $*" >&2; }
now_ms() { date +%s%3N; }

[[ -x "$APISERVER" ]] || { log "no kube-apiserver at $APISERVER; run $HERE/build-kube-apiserver.sh"; exit 1; }
[[ -x "$ETCD" ]] || { log "no etcd binary ($ETCD); apt-get install etcd-server"; exit 1; }
for t in openssl curl; do command -v "$t" >/dev/null || { log "missing $t"; exit 1; }; done

T0=$(now_ms)
if [[ -n "${KUBE_STATE_DIR:-}" ]]; then STATE="$KUBE_STATE_DIR"; mkdir -p "$STATE"
else STATE=$(mktemp -d "${TMPDIR:-/tmp}/kube-apiserver.XXXXXX"); fi
STATE=$(cd "$STATE" && pwd)
KUBECONFIG_OUT="${1:-$STATE/kubeconfig}"
mkdir -p "$(dirname "$KUBECONFIG_OUT")"
KUBECONFIG_OUT="$(cd "$(dirname "$KUBECONFIG_OUT")" && pwd)/$(basename "$KUBECONFIG_OUT")"

# free loopback TCP ports: ask the kernel (bind port 0) with whatever is there
free_ports() { # $1 = count
  if command -v python3 >/dev/null 2>&1; then
    python3 - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(); s.bind(("127.0.0.1", 0)); socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
PY
  elif command -v node >/dev/null 2>&1; then
    node -e '
      const net = require("net"); const n = +process.argv[1]; const out = []; const ss = [];
      (function next() { if (out.length === n) { console.log(out.join(" ")); ss.forEach(s => s.close()); return; }
        const s = net.createServer(); ss.push(s); s.listen(0, "127.0.0.1", () => { out.push(s.address().port); next(); }); })();' "$1"
  else
    local ports=() p
    while (( ${#ports[@]} < $1 )); do
      p=$(( 20000 + RANDOM % 40000 ))
      (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null && continue
      [[ " ${ports[*]} " == *" $p "* ]] || ports+=("$p")
    done
    echo "${ports[*]}"
  fi
}
read -r ETCD_PORT ETCD_PEER_PORT API_PORT < <(free_ports 3)

PIDS_FILE="$STATE/pids"
: >"$PIDS_FILE"
cleanup_on_fail() {
  local rc=$?
  if (( rc != 0 )); then
    log "startup failed (rc=$rc); stopping what was started; logs in $STATE"
    tail -n 20 "$STATE/kube-apiserver.log" 2>/dev/null >&2 || true
    "$HERE/stop-kube-apiserver.sh" "$STATE" --keep >&2 || true
  fi
}
trap cleanup_on_fail EXIT

# ---- credentials --------------------------------------------------------------
PKI="$STATE/pki"; mkdir -p "$PKI"; chmod 700 "$PKI"
# self-signed serving cert (it is its own CA; SAN covers 127.0.0.1 and localhost)
openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 7 \
  -subj "/CN=kube-apiserver-test" \
  -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
  -addext "basicConstraints=critical,CA:TRUE" \
  -addext "keyUsage=critical,digitalSignature,keyEncipherment,keyCertSign" \
  -addext "extendedKeyUsage=serverAuth" \
  -keyout "$PKI/serving.key" -out "$PKI/serving.crt" 2>/dev/null
# service-account signing key pair
openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
# static token: user "admin" in group system:masters (full access under RBAC)
TOKEN=$(openssl rand -hex 24)
echo "$TOKEN,admin,admin,\"system:masters\"" >"$PKI/tokens.csv"
chmod 600 "$PKI"/*.key "$PKI/tokens.csv"

# ---- etcd ------------------------------------------------------------------------
log "etcd $("$ETCD" --version | sed -n 's/^etcd Version: //p') on 127.0.0.1:$ETCD_PORT"
# setsid: own session/process group, survives this script; stop by PID.
setsid "$ETCD" \
  --name kube-test \
  --data-dir "$STATE/etcd-data" \
  --listen-client-urls "http://127.0.0.1:$ETCD_PORT" \
  --advertise-client-urls "http://127.0.0.1:$ETCD_PORT" \
  --listen-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-advertise-peer-urls "http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster "kube-test=http://127.0.0.1:$ETCD_PEER_PORT" \
  --initial-cluster-state new \
  --log-level warn --logger zap \
  </dev/null >"$STATE/etcd.log" 2>&1 &
ETCD_PID=$!
echo "etcd $ETCD_PID" >>"$PIDS_FILE"

deadline=$(( $(date +%s) + TIMEOUT ))
until curl -fsS "http://127.0.0.1:$ETCD_PORT/health" 2>/dev/null | grep -q '"health":"true"'; do
  kill -0 "$ETCD_PID" 2>/dev/null || { log "etcd exited"; tail -n 20 "$STATE/etcd.log" >&2; exit 1; }
  (( $(date +%s) < deadline )) || { log "etcd not healthy after ${TIMEOUT}s"; exit 1; }
  sleep 0.1
done
T_ETCD=$(now_ms)
log "etcd healthy after $(( T_ETCD - T0 )) ms (pid $ETCD_PID)"

# ---- kube-apiserver ----------------------------------------------------------------
API_ARGS=(
  --bind-address=127.0.0.1
  --advertise-address=127.0.0.1
  --secure-port="$API_PORT"
  --tls-cert-file="$PKI/serving.crt"
  --tls-private-key-file="$PKI/serving.key"
  --cert-dir="$STATE/apiserver-certs"
  --etcd-servers="http://127.0.0.1:$ETCD_PORT"
  --token-auth-file="$PKI/tokens.csv"
  --authorization-mode=RBAC
  --anonymous-auth=false
  --service-account-key-file="$PKI/sa.pub"
  --service-account-signing-key-file="$PKI/sa.key"
  --service-account-issuer=https://kubernetes.default.svc.cluster.local
  --service-cluster-ip-range=10.0.0.0/24
  --endpoint-reconciler-type=none
  --profiling=false
  --logtostderr=true
  --v=1
)
# shellcheck disable=SC2206
[[ -n "${KUBE_APISERVER_EXTRA_ARGS:-}" ]] && API_ARGS+=($KUBE_APISERVER_EXTRA_ARGS)
printf '%q ' "$APISERVER" "${API_ARGS[@]}" >"$STATE/kube-apiserver.cmdline"; echo >>"$STATE/kube-apiserver.cmdline"

log "$("$APISERVER" --version) on https://127.0.0.1:$API_PORT"
setsid "$APISERVER" "${API_ARGS[@]}" </dev/null >"$STATE/kube-apiserver.log" 2>&1 &
API_PID=$!
echo "kube-apiserver $API_PID" >>"$PIDS_FILE"

URL="https://127.0.0.1:$API_PORT"
until [[ "$(curl -sS --max-time 2 --cacert "$PKI/serving.crt" -H "Authorization: Bearer $TOKEN" "$URL/readyz" 2>/dev/null)" == ok ]]; do
  kill -0 "$API_PID" 2>/dev/null || { log "kube-apiserver exited"; exit 1; }
  (( $(date +%s) < deadline )) || { log "kube-apiserver not ready after ${TIMEOUT}s"; exit 1; }
  sleep 0.2
done
T_READY=$(now_ms)
log "kube-apiserver ready after $(( T_READY - T_ETCD )) ms (total $(( T_READY - T0 )) ms, pid $API_PID)"

# ---- kubeconfig -------------------------------------------------------------------------
CA_B64=$(base64 -w0 <"$PKI/serving.crt")
umask 077
cat >"$KUBECONFIG_OUT" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: local
  cluster:
    server: $URL
    certificate-authority-data: $CA_B64
users:
- name: admin
  user:
    token: $TOKEN
contexts:
- name: local
  context:
    cluster: local
    user: admin
    namespace: default
current-context: local
EOF

cat >"$STATE/env" <<EOF
KUBE_STATE_DIR=$STATE
KUBECONFIG=$KUBECONFIG_OUT
KUBE_APISERVER_URL=$URL
KUBE_TOKEN=$TOKEN
KUBE_CA_FILE=$PKI/serving.crt
KUBE_APISERVER_PORT=$API_PORT
ETCD_PORT=$ETCD_PORT
ETCD_PEER_PORT=$ETCD_PEER_PORT
KUBE_APISERVER_PID=$API_PID
ETCD_PID=$ETCD_PID
KUBE_STARTUP_MS=$(( T_READY - T0 ))
EOF
cat "$STATE/env"
log "stop with: $HERE/stop-kube-apiserver.sh $STATE"
trap - EXIT
