//go:build !linux

package neo4j

import osexec "os/exec"

// dieWithParent does nothing where the kernel cannot tie a child's life to its parent's.
func dieWithParent(*osexec.Cmd) {}
