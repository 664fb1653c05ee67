# The one roster binary; docker-compose.yml runs it once per component.
FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin roster

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 roster
COPY --from=build /src/target/release/roster /usr/local/bin/roster
USER roster
EXPOSE 8080
ENTRYPOINT ["roster"]
CMD ["serve"]
