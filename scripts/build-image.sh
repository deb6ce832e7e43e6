#!/usr/bin/env bash
# Build Tributary's minimal container image FROM scratch: the binary (stripped), exactly the shared objects `ldd`
# lists for it (at the paths ldd resolved, so the loader and any RUNPATH find them), /etc/passwd and /etc/group
# with the unprivileged user 65532 ("nonroot"), and the recommended mapping. No shell, no package manager; the
# root filesystem is never written, so run it with --read-only. deploy/Dockerfile assembles the same layout with
# `--rootfs` in its build stage.
#
#   scripts/build-image.sh                  # release build (Swift stdlib static), then podman/docker build
#   scripts/build-image.sh BINARY           # image around an existing binary (a debug build: its Swift libs too)
#   scripts/build-image.sh --rootfs DIR BINARY   # only assemble the root filesystem in DIR (no image)
#
# Env: IMAGE (tag, default localhost/tributary:latest), ENGINE (podman or docker; default: podman if installed),
# ENGINE_FLAGS (global engine flags; default for podman: --runtime runc --cgroup-manager=cgroupfs),
# STRIP (1 = strip the copied binary, default 1).
set -euo pipefail
cd "$(dirname "$0")/.."

rootfs_only=""
if [ "${1:-}" = "--rootfs" ]; then
  rootfs_only="${2:?--rootfs needs a directory}"
  shift 2
fi

bin="${1:-}"
if [ -z "$bin" ]; then
  swift build -c release --static-swift-stdlib --product tributary
  bin="$(swift build -c release --show-bin-path)/tributary"
fi
[ -x "$bin" ] || { echo "build-image.sh: no executable at $bin" >&2; exit 1; }

# assemble_rootfs DIR: the image's whole content.
assemble_rootfs() {
  local root="$1" lib
  install -D -m 0755 "$bin" "$root/usr/local/bin/tributary"
  if [ "${STRIP:-1}" = 1 ]; then strip "$root/usr/local/bin/tributary"; fi
  # ldd prints `name => /path (addr)` for libraries and `/path (addr)` for the loader; a library it cannot
  # find is `name => not found` (fail: the image would not start). A static binary has none.
  if ldd "$bin" | grep -q 'not found'; then
    echo "build-image.sh: ldd cannot resolve every library of $bin:" >&2
    ldd "$bin" >&2
    exit 1
  fi
  for lib in $(ldd "$bin" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | sort -u); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"  # -L: the file, not the symlink (ldd's names are the ones the loader opens)
  done
  mkdir -p "$root/etc/tributary"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/nonexistent:/sbin/nologin\n' \
    > "$root/etc/passwd"
  printf 'root:x:0:\nnonroot:x:65532:\n' > "$root/etc/group"
  install -m 0644 deploy/mapping.yml "$root/etc/tributary/mapping.yml"
}

if [ -n "$rootfs_only" ]; then
  assemble_rootfs "$rootfs_only"
  exit 0
fi

engine="${ENGINE:-$(command -v podman >/dev/null 2>&1 && echo podman || echo docker)}"
flags="${ENGINE_FLAGS-$([ "$engine" = podman ] && echo '--runtime runc --cgroup-manager=cgroupfs')}"
image="${IMAGE:-localhost/tributary:latest}"
ctx="$(mktemp -d)"
trap 'rm -rf "$ctx"' EXIT
assemble_rootfs "$ctx/rootfs"
# Keep in step with the final stage of deploy/Dockerfile.
cat > "$ctx/Containerfile" <<'EOF'
FROM scratch
COPY rootfs/ /
USER 65532:65532
EXPOSE 9102 9125 9125/udp
ENTRYPOINT ["/usr/local/bin/tributary"]
CMD ["--statsd.mapping-config=/etc/tributary/mapping.yml", "--web.listen-address=:9102", "--statsd.listen-udp=:9125", "--statsd.listen-tcp=:9125"]
EOF
# shellcheck disable=SC2086  # flags are words
"$engine" $flags build -q -t "$image" -f "$ctx/Containerfile" "$ctx" >/dev/null
echo "built $image: binary $(du -h "$ctx/rootfs/usr/local/bin/tributary" | cut -f1), image content $(du -sh "$ctx/rootfs" | cut -f1)"
