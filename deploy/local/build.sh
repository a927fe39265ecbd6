#!/usr/bin/env bash
# Builds the embedded platform's servers from pinned Go modules, once per version.
# Usage: build.sh [nats-server|etcd|kubernetes|kwok|kustomize|all]   Prints the binary paths it ensured
# (for kubernetes: the folder holding kube-apiserver, kube-controller-manager and kube-scheduler;
# for kwok: the folder holding bin/kwok and stages/, the node and pod stages it runs with).
# kustomize is not part of the platform (deploy/ manifests are built with it); `all` leaves it out.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=versions.env
source "$here/versions.env"
cache=${ICN_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/icn-secure-tenancy}
export CGO_ENABLED=0 GOFLAGS=-buildvcs=false

log() { printf '[build] %s\n' "$*" >&2; }

# A version's folder is complete only once its binary exists; a half-built one is rebuilt.
build_nats() {
  local out="$cache/nats-server-$NATS_SERVER_VERSION/bin/nats-server"
  [ -x "$out" ] || {
    log "nats-server $NATS_SERVER_VERSION (go install, first time only)"
    GOBIN="$(dirname "$out")" go install "github.com/nats-io/nats-server/v2@$NATS_SERVER_VERSION"
  }
  echo "$out"
}

# Builds the cluster manifests under deploy/ (base and overlays); the tests use this pinned one.
build_kustomize() {
  local out="$cache/kustomize-$KUSTOMIZE_VERSION/bin/kustomize"
  [ -x "$out" ] || {
    log "kustomize $KUSTOMIZE_VERSION (go install, first time only)"
    GOBIN="$(dirname "$out")" go install "sigs.k8s.io/kustomize/kustomize/v5@$KUSTOMIZE_VERSION"
  }
  echo "$out"
}

# etcd's server module has replace directives, so it is built through a wrapper module.
build_etcd() {
  local dir="$cache/etcd-$ETCD_VERSION" out="$cache/etcd-$ETCD_VERSION/bin/etcd"
  [ -x "$out" ] || {
    log "etcd $ETCD_VERSION (wrapper module, first time only)"
    mkdir -p "$dir/src"
    cat >"$dir/src/go.mod" <<MOD
module icn.local/etcd-build

go 1.26

require go.etcd.io/etcd/server/v3 $ETCD_VERSION

tool go.etcd.io/etcd/server/v3
MOD
    (cd "$dir/src" && go mod tidy >&2 && go build -trimpath -o "$out" go.etcd.io/etcd/server/v3)
  }
  echo "$out"
}

# k8s.io/kubernetes requires its staging modules at v0.0.0; replace each with its v0.X.Y
# release, reading the list from that version's own go.mod so it follows upstream.
# Complete only once all three binaries exist: a folder from before kube-scheduler joined rebuilds once.
build_kubernetes() {
  local dir="$cache/kubernetes-$KUBERNETES_VERSION" bin
  bin="$dir/bin"
  [ -x "$bin/kube-apiserver" ] && [ -x "$bin/kube-controller-manager" ] && [ -x "$bin/kube-scheduler" ] || {
    log "kube-apiserver, kube-controller-manager and kube-scheduler $KUBERNETES_VERSION (wrapper module, first time only: several minutes)"
    mkdir -p "$dir/src"
    local upstream staging_version minor
    upstream=$(cd "$dir/src" && go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" | sed -n 's/.*"GoMod": "\(.*\)".*/\1/p')
    staging_version="v0${KUBERNETES_VERSION#v1}"
    minor=$(echo "$KUBERNETES_VERSION" | cut -d. -f2)
    {
      printf 'module icn.local/kube-apiserver-build\n\ngo 1.26\n\n'
      grep '^godebug' "$upstream" || true
      printf '\nrequire k8s.io/kubernetes %s\n\n' "$KUBERNETES_VERSION"
      printf 'tool (\n\tk8s.io/kubernetes/cmd/kube-apiserver\n\tk8s.io/kubernetes/cmd/kube-controller-manager\n\tk8s.io/kubernetes/cmd/kube-scheduler\n)\n\n'
      grep -E '=> \./staging/src/' "$upstream" | awk -v v="$staging_version" '{print "replace " $1 " => " $1 " " v}'
    } >"$dir/src/go.mod"
    local ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$KUBERNETES_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/client-go/pkg/version.gitVersion=$KUBERNETES_VERSION -X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=$minor"
    (cd "$dir/src" && go mod tidy >&2 && go build -trimpath -ldflags "$ldflags" -o "$bin/" \
      k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler)
  }
  echo "$bin"
}

# KWOK, the kubelets' stand-in. Its module has no replace directives, so go install builds it. The
# controller ships no stages of its own (it refuses to start without any): the node and pod stages
# come from the same pinned module's kustomize/stage, copied before the binary so that the binary
# marks the folder complete.
build_kwok() {
  local dir="$cache/kwok-$KWOK_VERSION" out="$cache/kwok-$KWOK_VERSION/bin/kwok"
  [ -x "$out" ] || {
    log "kwok $KWOK_VERSION (go install, first time only)"
    local src
    src=$(cd "$cache" && go mod download -json "sigs.k8s.io/kwok@$KWOK_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')
    mkdir -p "$dir/stages"
    for stage in node/fast/node-initialize node/heartbeat-with-lease/node-heartbeat-with-lease \
      pod/fast/pod-ready pod/fast/pod-complete pod/fast/pod-delete; do
      install -m 0644 "$src/kustomize/stage/$stage.yaml" "$dir/stages/"
    done
    GOBIN="$(dirname "$out")" go install -trimpath -ldflags "-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=$KWOK_VERSION" \
      "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
  }
  echo "$dir"
}

case "${1:-all}" in
  nats-server) build_nats ;;
  etcd) build_etcd ;;
  kubernetes) build_kubernetes ;;
  kwok) build_kwok ;;
  kustomize) build_kustomize ;;
  all) build_nats; build_etcd; build_kubernetes; build_kwok ;;
  *) echo "usage: $0 [nats-server|etcd|kubernetes|kwok|kustomize|all]" >&2; exit 2 ;;
esac
