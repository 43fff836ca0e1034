# Hoist: see README.md. Everything here runs on a fresh machine with Go
# (and Node.js 20 for the admin panel, when web/ has one).

GO      ?= go
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
BIN     := bin/hoist

.PHONY: run build test lint swagger swagger-check types types-check bench bench-scale bench-fleet docker web chaos chaos-short

## run: build the panel (when possible) and start Hoist on the embedded defaults.
## The binary replaces the recipe's shell (exec), so Ctrl-C stops Hoist and
## make ends with Hoist's own exit status instead of "Error 1".
run: web
	@$(GO) build -ldflags "$(LDFLAGS)" -o bin/hoist-dev ./cmd/hoist
	@exec bin/hoist-dev serve

## build: static binary in bin/hoist, version stamped
build: web
	CGO_ENABLED=0 $(GO) build -tags nomsgpack -trimpath -ldflags "-s -w $(LDFLAGS)" -o $(BIN) ./cmd/hoist

## test: every Go test with the race detector, then the panel's tests
## (the CodePush test drives the stock code-push SDK, installed first)
test:
	@if command -v npm >/dev/null 2>&1; then cd cmd/hoist/testdata/codepush && npm ci --no-audit --no-fund >/dev/null; fi
	$(GO) test -race -count=1 ./...
	@if [ -f web/package.json ]; then cd web && npm ci --no-audit --no-fund && npm test; fi

## lint: gofmt must have nothing to say; go vet must pass
lint:
	@out="$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))"; \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

## swagger: regenerate the OpenAPI docs in docs/ from the handler annotations
swagger:
	$(GO) tool swag init --quiet -g routes.go -d internal/httpapi,internal/apperr \
		-o docs --outputTypes go,json,yaml --parseInternal --requiredByDefault
	gofmt -w docs/docs.go

## swagger-check: fail when docs/ does not match the annotations, or the
## panel's API types do not match docs/ (types-check)
swagger-check: swagger
	@git diff --exit-code --stat -- docs/ || { echo "docs/ is stale: run make swagger and commit"; exit 1; }
	@$(MAKE) -s --no-print-directory types-check

## types: regenerate the panel's API types (web/src/api/schema.gen.ts) from
## docs/swagger.json (Node.js, no packages needed)
types:
	cd web && node scripts/gen-types.mjs

## types-check: fail when web/src/api/schema.gen.ts is not what docs/swagger.json gives
types-check: types
	@git diff --exit-code --stat -- web/src/api/schema.gen.ts || { echo "web/src/api/schema.gen.ts is stale: run make types and commit"; exit 1; }

## chaos: the fault suite — Hoist on its own MariaDB, Redis, Mosquitto and
## RabbitMQ (free ports, never the shared ones), an OTA campaign to simulated
## devices, every fault (broker, database 10 s and 2 min, Redis, kill -9,
## SIGTERM) with the embedded broker (one node), Mosquitto (two nodes) and
## RabbitMQ (two nodes); prints the table. Takes about 20 minutes.
## chaos-short (CI) runs five faults at 50 devices.
chaos:
	HOIST_CHAOS=full $(GO) test -tags chaos -run '^TestChaos$$' -count=1 -timeout 60m -v ./cmd/hoist
## bench-fleet: 10,000 simulated devices (HOIST_FLEET_DEVICES) upgrading at
## once from one node with its embedded broker, on its own MariaDB and
## Redis: time to complete, reports lost or repeated, 5xx answers, the
## node's peak descriptors and memory. About 5 min.
bench-fleet:
	HOIST_CHAOS=fleet $(GO) test -tags chaos -run '^TestChaos$$' -count=1 -timeout 60m -v ./cmd/hoist
chaos-short:
	HOIST_CHAOS=short $(GO) test -tags chaos -run '^TestChaos$$' -count=1 -timeout 20m -v ./cmd/hoist

## bench: Go benchmarks (ns/op, allocs/op), then the update-check load test
## (wrk on loopback, Hoist vs a plain net/http JSON server). BENCH_BACKENDS
## may add mysql with HOIST_BENCH_MYSQL_DSN naming an empty database.
BENCH_BACKENDS ?= sqlite
BENCH_DURATION ?= 10s
bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...
	@command -v wrk >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq wrk; }
	$(GO) run ./cmd/hoist-bench -backends $(BENCH_BACKENDS) -duration $(BENCH_DURATION)

## docker: build the container image (needs a Docker engine)
docker:
	docker build --build-arg VERSION=$(VERSION) -t hoist:$(VERSION) .

## web: build the admin panel into web/dist/app when web/ has one and npm is
## present. npm ci runs only when web/node_modules is older than the lockfile,
## the Vite build only when the built panel is older than its sources.
web:
	@if [ -f web/package.json ]; then \
		if command -v npm >/dev/null 2>&1; then $(MAKE) -s --no-print-directory web/dist/app/index.html; \
		else echo "npm not found: serving without the admin panel"; fi; \
	fi

WEB_INPUTS := $(shell find web/src web/public -type f 2>/dev/null) $(wildcard web/index.html web/vite.config.* web/tsconfig*.json web/package.json)

# npm ci writes node_modules/.package-lock.json: its time is the install's.
web/node_modules/.package-lock.json: web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	@touch $@

web/dist/app/index.html: web/node_modules/.package-lock.json $(WEB_INPUTS)
	cd web && npm run build
	@touch $@

## bench-scale: the scale benchmarks (issue "cost that stays flat"): update
## checks of a 10,000-release project while it is edited every 250 ms
## (p50/p99/max and checks served), 1,000,000 new devices at 10,000 a second
## into the statistics (dropped, stored, heap), and the adoption funnel at
## 1,000,000 devices (memory per flush window, estimate error), and the
## embedded broker's memory per connected device, and the admin reads of a
## 100,000-device campaign, product and user list (on MySQL too when
## HOIST_TEST_MYSQL_DSN is set). About 10 min.
bench-scale:
	HOIST_BENCH_SCALE=1 $(GO) test -run '^$$' -bench 'CheckDuringRepublish|NewDevicesAt10k|FunnelMillion|MemoryPerConnectedDevice|AdminReads' -benchtime 1x -timeout 60m ./internal/httpapi ./internal/stats ./internal/mqtt
