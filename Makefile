# RingTrace — two commands on a fresh machine:
#   make demo   build (frontend included) and run the main job on generated sample data, embedded store
#   make test   run every test: Go (with a real Neo4j the project starts), fuzz, frontend unit and e2e
GO        ?= go
BIN       := bin/ringtrace
DEMO      ?= demo-data
PATIENTS  ?= 20000
SEED      ?= 20241126

.PHONY: all build frontend demo serve-demo test test-go test-fuzz test-frontend test-e2e test-spark bench fmt vet clean

all: build

# The frontend is built when npm is available; without it the committed placeholder page is embedded.
frontend:
	@if command -v npm >/dev/null 2>&1; then \
		cd frontend && { [ -d node_modules ] && [ node_modules -nt package-lock.json ] || npm ci --no-audit --no-fund; } && npm run build; \
	else echo "npm not found: embedding the placeholder UI"; fi

build: frontend
	$(GO) build -o $(BIN) ./cmd/ringtrace

demo: build
	rm -rf $(DEMO)
	$(BIN) generate --out $(DEMO)/csv --patients $(PATIENTS) --seed $(SEED)
	$(BIN) ingest --data $(DEMO)/csv --db $(DEMO)/graph
	$(BIN) detect --db $(DEMO)/graph --out $(DEMO)/findings.json
	$(BIN) eval --truth $(DEMO)/csv/truth.json --findings $(DEMO)/findings.json
	@echo
	@echo "Findings: $(DEMO)/findings.json. Workbench: make serve-demo, sign in as admin, create users, run a job (任务)."

serve-demo: build
	$(BIN) serve --db $(DEMO)/graph --listen 127.0.0.1:8080

test:
	bash .ci/test.sh

test-go:
	$(GO) vet ./...
	$(GO) test ./...

test-fuzz:
	bash .ci/test.sh fuzz

test-frontend:
	bash .ci/test.sh frontend

test-e2e:
	bash .ci/test.sh e2e

test-spark:
	bash .ci/test.sh spark

bench:
	$(GO) test -run '^$$' -bench . -benchtime 1x ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

vet:
	$(GO) vet ./...

clean:
	rm -rf bin $(DEMO)
