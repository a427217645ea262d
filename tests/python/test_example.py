"""examples/python/demo.py runs and reaches the original demonstration's conclusions, and more."""

import os
import pathlib
import subprocess
import sys

EXAMPLE = pathlib.Path(__file__).resolve().parents[2] / "examples" / "python" / "demo.py"


def test_the_example_runs(tmp_path):
    out = subprocess.run([sys.executable, str(EXAMPLE), str(tmp_path / "demo")], capture_output=True,
                         text=True, timeout=120, env=os.environ.copy())
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "node1 vs node2 identical: True" in text
    assert "node1 vs node4: self_behind (3 vs 4 records)" in text
    assert "node4 vs node5: diverged" in text
    assert "sync groups: [['node1', 'node2', 'node3'], ['node4'], ['node5']]" in text
    assert "synced: 3 of 5 (60 %), healthy: False" in text
    assert "vellum verify-proof agrees: True" in text
    assert "forked at index 3: 'block 4' vs 'forged block'" in text
