//go:build race

package mime

// raceEnabled: under the race detector sync.Pool drops a quarter of what
// is put back, on purpose, so reuse is only partial.
const raceEnabled = true
