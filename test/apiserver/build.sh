#!/usr/bin/env bash
# Build the single-binary test control plane (embedded etcd + kube-apiserver).
#
#   test/apiserver/build.sh            # build if needed, print the binary path
#   test/apiserver/build.sh --force    # rebuild even if a cached binary exists
#
# Output: <repo>/.cache/apiserver/<k8s version>/kube-controlplane
# The Kubernetes version is read from go.mod (pinned by set-version.sh). The
# cached binary is reused when a stamp of the sources (main.go, go.mod, go.sum
# and this script) matches; otherwise it is rebuilt.
# Needs: Go >= the go directive in go.mod, and the Go module proxy (first build).
# Env: CONTROLPLANE_BUILD_JOBS (default 2) = `go build -p`;
#      CONTROLPLANE_CACHE_DIR (default <repo>/.cache/apiserver) = where binaries go.
# First build from an empty Go cache: ~4 min on 2 cores; later ones reuse the
# binary (or, after a source change, Go's build cache: ~10-20 s).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

k8s_version="$(awk '($1=="k8s.io/kubernetes" || ($1=="require" && $2=="k8s.io/kubernetes")) { for (i=1;i<=NF;i++) if ($i ~ /^v1\./) { print $i; exit } }' "$here/go.mod")"
[ -n "$k8s_version" ] || { echo "build.sh: cannot find the k8s.io/kubernetes version in $here/go.mod" >&2; exit 1; }

out_dir="${CONTROLPLANE_CACHE_DIR:-$repo/.cache/apiserver}/$k8s_version"
bin="$out_dir/kube-controlplane"
stamp="$(cat "$here/main.go" "$here/go.mod" "$here/go.sum" "$here/build.sh" | sha256sum | cut -c1-16)"

fresh() { [ -x "$bin" ] && [ "$(cat "$bin.stamp" 2>/dev/null)" = "$stamp" ]; }
force=0; [ "${1:-}" = "--force" ] && force=1
if [ $force = 0 ] && fresh; then echo "$bin"; exit 0; fi

mkdir -p "$out_dir"
# Serialise concurrent builds (e.g. parallel test files); re-check afterwards.
if command -v flock >/dev/null 2>&1; then
  exec 9>"$out_dir/.build.lock"
  flock 9
  if [ $force = 0 ] && fresh; then echo "$bin"; exit 0; fi
fi

if ! command -v go >/dev/null 2>&1 && [ -x /usr/local/go/bin/go ]; then
  export PATH="$PATH:/usr/local/go/bin"
fi
if ! command -v go >/dev/null 2>&1; then
  echo "build.sh: 'go' not found on PATH. Install Go $(sed -n 's/^go //p' "$here/go.mod") or newer (https://go.dev/dl/ or the 'golang' package) to build the test control plane." >&2
  exit 127
fi

minor="$(echo "$k8s_version" | cut -d. -f2)"
pkg=k8s.io/component-base/version
ldflags="-s -w -X $pkg.gitVersion=$k8s_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean"
ldflags="$ldflags -X k8s.io/client-go/pkg/version.gitVersion=$k8s_version -X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=$minor"

echo "build.sh: building kube-controlplane for Kubernetes $k8s_version (first build downloads modules and takes several minutes)..." >&2
start=$(date +%s)
(
  cd "$here"
  # -mod=readonly: go.sum must be complete (fail rather than silently edit it).
  GOFLAGS="${GOFLAGS:-} -mod=readonly" CGO_ENABLED=0 \
    go build -p "${CONTROLPLANE_BUILD_JOBS:-2}" -trimpath -ldflags="$ldflags" -o "$bin.tmp" .
)
mv -f "$bin.tmp" "$bin"
echo "$stamp" > "$bin.stamp"
echo "build.sh: built $bin ($(du -h "$bin" | cut -f1)) in $(( $(date +%s) - start ))s" >&2
echo "$bin"
