package frontend

import (
	"embed"
	"io/fs"
)

// dist holds the Vite build. Only dist/.gitkeep is committed; a build writes the rest, which git
// ignores, so `go build` works without Node and `git status` stays clean after `npm run build`.
//
//go:embed all:dist
var dist embed.FS

// placeholder is served when dist holds no build, telling the operator how to build the UI.
//
//go:embed placeholder/index.html
var placeholder embed.FS

// FS returns the web UI's files rooted at the build output: index.html and assets/… . When the
// frontend has not been built into this binary it returns a file system holding only a
// placeholder index.html that explains how to build it.
func FS() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic("frontend: embedded dist missing: " + err.Error()) // programmer error: the embed pattern guarantees it
	}
	if _, err := fs.Stat(sub, "index.html"); err == nil {
		return sub
	}
	ph, err := fs.Sub(placeholder, "placeholder")
	if err != nil {
		panic("frontend: embedded placeholder missing: " + err.Error())
	}
	return ph
}

// Built reports whether a real UI build (not the placeholder) is embedded in this binary.
func Built() bool {
	_, err := fs.Stat(dist, "dist/index.html")
	return err == nil
}
