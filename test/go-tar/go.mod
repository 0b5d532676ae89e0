module layerlint.test/go-tar

go 1.19
