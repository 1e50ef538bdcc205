# dfd in a container: built with the repository's own scripts, shipped with only its binary and libraries.
#
#   docker build -t dfd:cuda .                                            # CUDA image (default target)
#   docker build -t dfd:cuda --build-arg CUDA_ARCHITECTURES="80;90" .     # choose the GPUs
#   docker build -t dfd:cpu --target cpu .                                # CPU-only image
#   docker run --rm --gpus all -v "$PWD/data:/data" dfd:cuda batch /data/manifest.jsonl --out /data/out
#
# The build stages run scripts/install-deps.sh and scripts/build.sh, the README's own build
# steps, so there is one source of truth for how dfd is built. nvidia/cuda publishes no Debian
# images; its Ubuntu 24.04 images carry the same package names, at versions close to Debian 12's
# (OpenCV 4.6, CLI11 2.x, nlohmann-json 3.11). The CPU target is built on Debian 12 itself.

ARG CUDA_VERSION=13.0.2
ARG CUDA_DISTRO=ubuntu24.04
ARG DEBIAN_VERSION=12

# ---- Build stages --------------------------------------------------------------------------------
FROM nvidia/cuda:${CUDA_VERSION}-devel-${CUDA_DISTRO} AS build-cuda
# Real architectures to compile for (CMAKE_CUDA_ARCHITECTURES): 80 = A100, 86 = A10/RTX 30,
# 89 = L4/L40/RTX 40, 90 = H100/H200, 100 = B200. Each one adds build time and binary size.
ARG CUDA_ARCHITECTURES="80;86;89;90"
WORKDIR /src
COPY scripts/install-deps.sh scripts/
RUN scripts/install-deps.sh && rm -rf /var/lib/apt/lists/*
COPY . .
# DFD_NATIVE=OFF: portable host code (the image runs on other CPUs than the builder's). The
# tests are not built; the bench library is, since `dfd bench` is part of the shipped binary.
# The runtime packages are those owning the libraries the binary names (NEEDED), derived from
# the binary so that no hand-kept list can drift; CUDA's own ship with the runtime image.
RUN BUILD_DIR=/build scripts/build.sh -DDFD_NATIVE=OFF -DDFD_WITH_CUDA=ON \
      -DCMAKE_CUDA_ARCHITECTURES="${CUDA_ARCHITECTURES}" -DDFD_BUILD_TESTS=OFF \
 && cmake --install /build --prefix /opt/dfd --strip \
 && readelf -d /opt/dfd/bin/dfd \
      | awk -v m="$(gcc -print-multiarch)" '$2 == "(NEEDED)" {gsub(/[][]/, "", $5); print "*/" m "/" $5}' \
      | xargs -r dpkg-query --search | cut -d: -f1 | sort -u > /opt/dfd/runtime-packages \
 && cat /opt/dfd/runtime-packages

FROM debian:${DEBIAN_VERSION} AS build-cpu
WORKDIR /src
COPY scripts/install-deps.sh scripts/
RUN scripts/install-deps.sh && rm -rf /var/lib/apt/lists/*
COPY . .
RUN BUILD_DIR=/build scripts/build.sh -DDFD_NATIVE=OFF -DDFD_WITH_CUDA=OFF \
      -DDFD_BUILD_TESTS=OFF \
 && cmake --install /build --prefix /opt/dfd --strip \
 && readelf -d /opt/dfd/bin/dfd \
      | awk -v m="$(gcc -print-multiarch)" '$2 == "(NEEDED)" {gsub(/[][]/, "", $5); print "*/" m "/" $5}' \
      | xargs -r dpkg-query --search | cut -d: -f1 | sort -u > /opt/dfd/runtime-packages \
 && cat /opt/dfd/runtime-packages

# ---- CPU-only image: docker build --target cpu ---------------------------------------------------
FROM debian:${DEBIAN_VERSION}-slim AS cpu
COPY --from=build-cpu /opt/dfd /opt/dfd
# The ldd check fails the build if a library is still missing.
# hadolint ignore=DL3008,SC2046
RUN apt-get update \
 && apt-get install -y --no-install-recommends $(cat /opt/dfd/runtime-packages) \
 && rm -rf /var/lib/apt/lists/* \
 && if ldd /opt/dfd/bin/dfd | grep 'not found'; then exit 1; fi \
 && groupadd --gid 10001 dfd \
 && useradd --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin dfd
ENV PATH=/opt/dfd/bin:${PATH}
# Numeric, so that Kubernetes' runAsNonRoot can verify it.
USER 10001:10001
ENTRYPOINT ["dfd"]
CMD ["--help"]

# ---- CUDA image (the default target: last stage) -------------------------------------------------
FROM nvidia/cuda:${CUDA_VERSION}-runtime-${CUDA_DISTRO} AS cuda
COPY --from=build-cuda /opt/dfd /opt/dfd
# libcuda.so comes from the host's driver at run time (NVIDIA container toolkit), not the image.
# hadolint ignore=DL3008,SC2046
RUN apt-get update \
 && apt-get install -y --no-install-recommends $(cat /opt/dfd/runtime-packages) \
 && rm -rf /var/lib/apt/lists/* \
 && if ldd /opt/dfd/bin/dfd | grep -v 'libcuda\.so' | grep 'not found'; then exit 1; fi \
 && groupadd --gid 10001 dfd \
 && useradd --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin dfd
ENV PATH=/opt/dfd/bin:${PATH}
USER 10001:10001
ENTRYPOINT ["dfd"]
CMD ["--help"]
