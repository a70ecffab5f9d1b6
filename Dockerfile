# Build: cross-compiles on the build host's platform; the binary is pure Go.
FROM --platform=$BUILDPLATFORM golang:1.26.8-bookworm AS build

# go.mod pins Go 1.26.8: fail instead of fetching another toolchain.
ENV CGO_ENABLED=0 GOTOOLCHAIN=local
WORKDIR /src

# Module downloads get their own layer, reused until go.mod/go.sum change.
COPY go.mod go.sum ./
RUN go mod download

COPY . .

ARG VERSION=dev
ARG TARGETOS
ARG TARGETARCH
RUN --mount=type=cache,target=/root/.cache/go-build \
    GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/qilian ./cmd/qilian

# Runtime: debian-slim rather than distroless, because the compose health
# checks run curl inside the container and distroless has neither shell nor curl.
FROM debian:bookworm-slim

RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates tzdata curl \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 qilian \
    && useradd --system --uid 10001 --gid qilian --home-dir /data --shell /usr/sbin/nologin qilian \
    && mkdir -p /data \
    && chown qilian:qilian /data

COPY --from=build /out/qilian /qilian

ARG VERSION=dev
LABEL org.opencontainers.image.title="qilian" \
      org.opencontainers.image.version="${VERSION}"

# No VOLUME: api/worker/migrate keep no state in /data and would each get an
# anonymous volume. For `serve`, mount a volume on /data.
ENV QILIAN_DATA_DIR=/data \
    QILIAN_HTTP_ADDR=0.0.0.0:8080
WORKDIR /data
USER qilian:qilian

# 8080 HTTP API; 7233 and 8233 are the embedded Temporal frontend and UI (serve only).
EXPOSE 8080 7233 8233

ENTRYPOINT ["/qilian"]
CMD ["serve"]
