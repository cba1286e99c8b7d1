# Runners over ../shared/ethereum-tests. Each prints "N passed, M failed" last.
