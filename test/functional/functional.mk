# Functional tests: whole spectrumd processes on private regtest data
# directories, driven by Python 3 (standard library only). One `make check`
# entry runs them all through test_runner.py, which prints "N passed, M failed".
TESTS += test/functional/run_functional.sh
EXTRA_DIST += test/functional/run_functional.sh test/functional/test_runner.py \
	test/functional/feature_startup.py test/functional/tool_cli.py \
	test/functional/rpc_server.py test/functional/rpc_auth.py \
	test/functional/test_framework/ws.py \
	test/functional/test_framework/__init__.py \
	test/functional/test_framework/test_framework.py \
	test/functional/test_framework/test_node.py \
	test/functional/test_framework/util.py
