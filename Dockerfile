# Hoist container image: the admin panel built with Node, the binary built
# with Go (static, no cgo), a distroless runtime running as non-root.
# docker build --build-arg VERSION=v1.0.0 -t hoist .

FROM node:20-bookworm-slim AS web
WORKDIR /src/web
COPY web/ ./
RUN if [ -f package.json ]; then npm ci --no-audit --no-fund && npm run build; fi

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=web /src/web/dist/ ./web/dist/
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -tags nomsgpack -trimpath \
      -ldflags "-s -w -X main.version=${VERSION}" -o /out/hoist ./cmd/hoist \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/hoist /usr/local/bin/hoist
COPY --from=build --chown=nonroot:nonroot /out/data /data
# Inside a container every listener must face the container's network.
ENV HOIST_DATA_DIR=/data \
    HOIST_HTTP_ADDR=:3000 \
    HOIST_MQTT_TCP_ADDR=:1883 \
    HOIST_MQTT_WS_ADDR=:8083 \
    HOIST_LOG_FORMAT=json
VOLUME /data
EXPOSE 3000 1883 8083
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/hoist"]
CMD ["serve"]
