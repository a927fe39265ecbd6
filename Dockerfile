# One image for every component: `icnctl run <function> --no-watchers`, `icnctl ingress`, and the
# watchers (node shared/sources/main.js). The TypeScript is compiled in a builder; the runtime
# stage holds the compiled JavaScript and the production dependencies only, and runs as non-root.
#   docker build -t registry.example.com/icn/icn-secure-tenancy:0.1.0 .
ARG NODE_IMAGE=node:24-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json .npmrc ./
# No install scripts: the `node` dev dependency would download a second Node 24, and tsc needs none.
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY cli cli
COPY console console
COPY functions functions
COPY shared shared
COPY schemas schemas
COPY deploy/local deploy/local
RUN npx tsc -p tsconfig.build.json

FROM ${NODE_IMAGE} AS production-dependencies
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --ignore-scripts

FROM ${NODE_IMAGE}
ENV NODE_ENV=production
WORKDIR /app
COPY --from=production-dependencies /app/node_modules node_modules
COPY package.json ./
# dist/ mirrors the repository (cli/, functions/, shared/...), so /app is laid out like the source.
COPY --from=build /src/dist/ ./
# The console's page is plain JavaScript served as it is, beside its compiled server.
COPY --from=build /src/console/web console/web
# The same numeric user the Deployments ask for (runAsUser), so runAsNonRoot can be verified.
USER 10001:10001
EXPOSE 8080
# V8 flags for a small, steady heap: a 4 MB young generation, and a heap allowed to grow to twice what
# survived the last full collection (V8 otherwise lets it grow up to fourfold). A busy host's peak RSS
# halves, at no throughput measurable here. `make bench` starts its host with these flags, read from
# this line.
ENTRYPOINT ["node", "--max-semi-space-size=4", "--heap-growing-percent=100", "cli/icnctl.js"]
CMD ["--help"]
