"""Pure rules: no Flask, no SQL, no network. Functions of plain values and `now`."""
