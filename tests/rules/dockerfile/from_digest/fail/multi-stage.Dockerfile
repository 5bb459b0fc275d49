ARG GO_VERSION=1.23
FROM golang:${GO_VERSION} AS build
WORKDIR /src
RUN go build -o /app ./cmd/app

FROM gcr.io/distroless/static@sha256:0b6a5a1d AS short

FROM gcr.io/distroless/static@sha256:0b6a5a1d2e8a0c0d6f4b8d7d3e2f1a9c8b7a6d5e4f3c2b1a0f9e8d7c6b5a4f3e
COPY --from=build /app /app
USER 65532:65532
