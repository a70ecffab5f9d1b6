# The index of everything one can run. `make help` lists it.

.PHONY: help serve test build seed migrate clean cluster cluster-down

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/'

serve: ## start everything on embedded defaults (data in ./data)
	go run ./cmd/qilian serve

test: ## gofmt, go vet and every test, on SQLite and PostgreSQL
	scripts/test

build: ## build bin/qilian
	go build -o bin/qilian ./cmd/qilian

seed: ## with serve running: load the demo district and print a token per role and per user
	go run ./cmd/qilian seed --demo

migrate: ## bring the read-model schema up to date
	go run ./cmd/qilian migrate

cluster: ## start a cluster on loopback: Temporal on PostgreSQL (8 shards), two workers, two APIs
	scripts/cluster up

cluster-down: ## stop the cluster (its databases stay; `scripts/cluster purge` drops them)
	scripts/cluster down

clean: ## remove the local data directory and binaries
	rm -rf data bin
