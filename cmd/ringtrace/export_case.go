package main

import (
	"context"
	"errors"
)

// runExportCase is wired to the case store once the API's state package lands.
func runExportCase(ctx context.Context, env *Env, args []string) error {
	return &exitError{code: 2, err: errors.New("export case: not wired yet")}
}
