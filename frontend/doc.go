// Package frontend embeds RingTrace's investigation workbench, a Vite + TypeScript single-page
// app whose sources live beside this file (src/, built with npm into dist/), so that
// `ringtrace serve` ships the UI in the same binary as the API.
//
// It holds only the embedded files and FS; it must not contain HTTP handlers (api/ serves the
// files, with the SPA fallback to index.html) nor import any other RingTrace package. The UI is
// Chinese first (简体中文) with an English switch; see docs/ui.md.
package frontend
