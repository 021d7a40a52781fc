# rustomize for plain CLI use: `docker run --rm -v "$PWD:/work" rustomize build overlays/prod`.
# Multi-stage: the release binary built with the pinned toolchain and
# Cargo.lock, then a slim Debian (glibc) with git, ssh and curl for remote
# bases, running as an unprivileged user. Build from the repository root:
#
#   docker build -t rustomize .
#
# The image also answers to `kustomize` (a link), for scripts that call it.

ARG RUST_VERSION=1.95
ARG DEBIAN=bookworm

FROM rust:${RUST_VERSION}-${DEBIAN} AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p rustomize \
 && install -D -m 0755 target/release/rustomize /out/rustomize \
 && /out/rustomize man --install-dir /out/man/man1

FROM debian:${DEBIAN}-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl git openssh-client \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --uid 10001 --user-group --home-dir /home/rustomize --create-home --shell /usr/sbin/nologin rustomize
COPY --from=build /out/rustomize /usr/local/bin/rustomize
COPY --from=build /out/man/man1/ /usr/local/share/man/man1/
RUN ln -s rustomize /usr/local/bin/kustomize
USER 10001:10001
ENV RUSTOMIZE_CACHE_DIR=/home/rustomize/.cache/rustomize
WORKDIR /work
ENTRYPOINT ["rustomize"]
CMD ["--help"]
