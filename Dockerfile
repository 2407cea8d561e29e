# syntax=docker/dockerfile:1
# Build: a static binary with the time-zone database embedded (timetzdata),
# so WIB/WITA/WIT work in an image without /usr/share/zoneinfo.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -tags timetzdata -ldflags="-s -w" -o /out/sinergi ./cmd/sinergi

# Run: distroless, no shell, non-root (uid 65532).
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/sinergi /usr/local/bin/sinergi
ENV SINERGI_HTTP_ADDR=0.0.0.0:8080 \
    SINERGI_LOG_FORMAT=json
EXPOSE 8080
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/sinergi"]
