module github.com/quarry-project/quarry/bindings/go

go 1.19
