# meshtrace: collector (`serve`) and controller (`controller`) in one image.
# Final image target: <= 200 MB (distroless Node.js runtime ~130 MB + production node_modules).
# Build: docker build -t meshtrace/meshtrace:0.1.0 .

FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# Install scripts stay off: nothing meshtrace needs compiles native code.
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY cmd cmd
COPY src src
COPY bench bench
COPY proto proto
COPY web web
RUN npm run build && npm prune --omit=dev --ignore-scripts

# Distroless: no shell, no package manager, no compilers; runs as uid 65532 ("nonroot").
FROM gcr.io/distroless/nodejs20-debian12:nonroot
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules node_modules
COPY --from=build /src/dist dist
COPY --from=build /src/proto proto
USER 65532:65532
EXPOSE 9411 4317 4318 8080
# The base image's entrypoint is node; `serve` by default, `controller` for the controller.
CMD ["dist/cmd/meshtrace.js", "serve"]
