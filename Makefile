# Entry points; the work is done by the scripts in scripts/.
.PHONY: demo test lint messages clean

demo:
	scripts/demo

test:
	scripts/test

lint:
	scripts/lint

messages:
	scripts/messages

# Removes what the build and the tools leave in the checkout, the .venv included;
# never touches the data directory (MAINTENIR_DATA_DIR).
clean:
	rm -rf .venv build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache test-results
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
