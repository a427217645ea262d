#!/usr/bin/env python3
"""Runs every ```console block of the README in order, in one fresh folder, and compares what
each command prints with what the README shows.

    readme_test.py README BIN_DIR [--update]

A block line starting with "$ " is a command (a trailing backslash continues it); the lines
after it, up to the next command, are its output (stdout and stderr together). A command ending
in "&" runs in the background, its output unseen; a background `vellum serve` is waited for
until it listens (and, for a mirror or a node with peers, until it has looked at them once).
Ports 8001-8005 are replaced by free ports; a background command that names one of them is
waited for until it accepts connections. Before comparing, what legitimately differs from run
to run is normalised: hashes, keys, signatures, times, ports. --update rewrites the README's
outputs with this run's (then review the diff).

Only the Python standard library is used.
"""
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

README_PORTS = [8001, 8002, 8003, 8004, 8005]
DEADLINE_S = 60


def parse_blocks(text):
    """[(first line number, [(command, [expected lines])])] for each ```console block."""
    blocks, lines = [], text.split("\n")
    i = 0
    while i < len(lines):
        if lines[i].strip() != "```console":
            i += 1
            continue
        start, i, commands = i + 1, i + 1, []
        while i < len(lines) and lines[i].strip() != "```":
            line = lines[i]
            if line.startswith("$ "):
                command = line[2:]
                while command.endswith("\\") and i + 1 < len(lines):
                    i += 1
                    command = command[:-1].rstrip() + " " + lines[i].strip()
                commands.append((command, []))
            elif commands:
                commands[-1][1].append(line)
            i += 1
        blocks.append((start, commands))
        i += 1
    return blocks


def free_ports(n):
    socks, ports = [], []
    for _ in range(n):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        socks.append(s)
        ports.append(s.getsockname()[1])
    for s in socks:
        s.close()
    return ports


def wait_for(check, what):
    deadline = time.time() + DEADLINE_S
    while time.time() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise SystemExit(f"readme test: gave up waiting for {what}")


def status(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/status", timeout=5) as r:
        return json.loads(r.read())


def wait_for_node(command, ports):
    m = re.search(r"--listen 127\.0\.0\.1:(\d+)", command)
    if not m:  # another server (a static one): wait until it accepts connections
        for port in ports:
            if re.search(rf"\b{port}\b", command):
                wait_for(lambda: socket.create_connection(("127.0.0.1", port), timeout=1).close()
                         or True, f"a server on port {port}")
        return
    port = int(m.group(1))
    wait_for(lambda: socket.create_connection(("127.0.0.1", port), timeout=1).close() or True,
             f"a node on port {port}")
    if "--upstream" in command:
        wait_for(lambda: status(port)["upstream"]["state"].startswith("in sync"),
                 f"the mirror on port {port} to catch up")
    if "--peer" in command:
        wait_for(lambda: all(p["state"] != "not checked yet" for p in status(port)["peers"]),
                 f"the node on port {port} to check its peers")


def normalise(text, ports):
    for readme_port, port in zip(README_PORTS, ports):
        text = text.replace(str(port), str(readme_port))
    rules = [
        (r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", "<time>"),
        (r"\b\d{13}\b", "<time_ms>"),
        (r"\+[0-9a-f]{8}\+[A-Za-z0-9+/]{40,}={0,2}", "+<key>"),
        (r"[A-Za-z0-9+/]{40,}={0,2}", "<base64>"),
        (r"\b[0-9a-f]{12,64}\b", "<hex>"),
        (r"(?<=│ )[0-9a-f]{8}(?= +│)", "<prefix>"),  # sqlite3 -box cells of leaf-hash prefixes
    ]
    for pattern, replacement in rules:
        text = re.sub(pattern, replacement, text)
    return [line.rstrip() for line in text.rstrip("\n").split("\n")] if text.strip() else []


def run(readme, bin_dir, update):
    text = open(readme, encoding="utf-8").read()
    blocks = parse_blocks(text)
    if not blocks:
        raise SystemExit("readme test: no ```console blocks found")
    ports = free_ports(len(README_PORTS))
    workdir = tempfile.mkdtemp(prefix="vellum-readme-")
    env = dict(os.environ, PATH=bin_dir + os.pathsep + os.environ["PATH"], LC_ALL="C.UTF-8")
    background, failures, actual_outputs, count = [], [], {}, 0
    try:
        for start, commands in blocks:
            for command, expected in commands:
                count += 1
                real = command
                for readme_port, port in zip(README_PORTS, ports):
                    real = real.replace(str(readme_port), str(port))
                if real.rstrip().endswith("&"):
                    log = open(os.path.join(workdir, f".background-{len(background)}.log"), "w")
                    background.append(subprocess.Popen(
                        ["bash", "-c", "exec " + real.rstrip()[:-1]], cwd=workdir, env=env,
                        stdout=subprocess.DEVNULL, stderr=log))
                    wait_for_node(real, ports)
                    continue
                done = subprocess.run(["bash", "-c", real], cwd=workdir, env=env,
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                      timeout=DEADLINE_S)
                out = done.stdout.decode("utf-8", "replace")
                actual_outputs[(start, command)] = out
                want = normalise("\n".join(expected), ports)
                got = normalise(out, ports)
                if want != got:
                    failures.append(f"README line ~{start}: $ {command}\n  expected:\n    " +
                                    "\n    ".join(want) + "\n  got:\n    " + "\n    ".join(got))
    finally:
        for p in background:
            p.terminate()
        for p in background:
            try:
                p.wait(timeout=DEADLINE_S)
            except subprocess.TimeoutExpired:
                p.kill()
        shutil.rmtree(workdir, ignore_errors=True)
    if update:
        write_outputs(readme, text, actual_outputs, ports)
        print(f"readme test: rewrote the outputs of {count} commands in {readme}")
        return 0
    for f in failures:
        print(f, file=sys.stderr)
    print(f"{count - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


def write_outputs(readme, text, outputs, ports):
    lines, out, i = text.split("\n"), [], 0
    block_start = None
    while i < len(lines):
        line = lines[i]
        if line.strip() == "```console":
            block_start = i + 1
        elif line.strip() == "```":
            block_start = None
        if block_start is not None and line.startswith("$ "):
            first, command = i, line[2:]
            while command.endswith("\\") and i + 1 < len(lines):
                i += 1
                command = command[:-1].rstrip() + " " + lines[i].strip()
            out.extend(lines[first:i + 1])
            i += 1
            while i < len(lines) and not lines[i].startswith("$ ") and lines[i].strip() != "```":
                i += 1
            got = outputs.get((block_start, command))
            if got is not None:
                for readme_port, port in zip(README_PORTS, ports):
                    got = got.replace(str(port), str(readme_port))
                out.extend(got.rstrip("\n").split("\n") if got.strip() else [])
                if i < len(lines) and lines[i].strip() != "```":
                    out.append("")
            continue
        out.append(line)
        i += 1
    with open(readme, "w", encoding="utf-8") as f:
        f.write("\n".join(out))


if __name__ == "__main__":
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    sys.exit(run(sys.argv[1], os.path.abspath(sys.argv[2]), "--update" in sys.argv[3:]))
