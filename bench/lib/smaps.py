#!/usr/bin/env python3
"""Memory of a group of processes, per process and per mapping (bench/memory.sh; needs root).

usage: smaps.py PID...

For every process: Size, Rss, Pss and Private_Dirty of its mappings from /proc/PID/smaps, grouped
(the executable's text / rodata / data, each library's text / ro / data, [heap], thread stacks
found from each thread's stack pointer in /proc/PID/task/TID/syscall, glibc's secondary arenas,
memfds, other anonymous mappings by size). Then the sums, and the DISTINCT figure: the physical
pages mapped by any of the processes, each counted once (from /proc/PID/pagemap), i.e. the PSS sum
the group would have if nothing else on the machine shared its libraries' pages. PSS itself moves
with whatever else maps libswiftCore or libc at that moment; the distinct figure does not."""
import os, re, sys, collections

def stack_pointers(pid):
    sps = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            f = open(f"/proc/{pid}/task/{tid}/syscall").read().split()
            if len(f) >= 8:
                sps[tid] = int(f[-2], 16)
        except Exception:
            pass
    return sps

def mappings(pid):
    maps = []
    cur = None
    for line in open(f"/proc/{pid}/smaps"):
        m = re.match(r"^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \d+\s*(.*)$", line)
        if m:
            cur = dict(start=int(m.group(1), 16), end=int(m.group(2), 16), perms=m.group(3), name=m.group(4).strip())
            maps.append(cur)
            continue
        k, _, v = line.partition(":")
        if v.strip().endswith("kB"):
            cur[k] = int(v.split()[0])
    return maps

def classify(pid, maps, exe):
    sps = stack_pointers(pid)
    out = []
    for i, m in enumerate(maps):
        n, p = m["name"], m["perms"]
        size = (m["end"] - m["start"]) // 1024
        if n == exe or (n and os.path.basename(n) == os.path.basename(exe)):
            cat = "exe " + ("text" if "x" in p else "rodata" if p.startswith("r--") else "data")
        elif n.startswith("/") and ".so" in n:
            lib = os.path.basename(n).split(".so")[0]
            kind = "text" if "x" in p else "data" if "w" in p else "ro"
            cat = f"{lib} {kind}"
        elif n == "[heap]":
            cat = "[heap] (main arena)"
        elif n == "[stack]":
            cat = "[stack] main thread"
        elif n.startswith("/memfd:") or "memfd" in n:
            cat = "memfd " + n.split(":",1)[-1].split(" ")[0]
        elif n in ("[vdso]", "[vvar]", "[vsyscall]"):
            cat = n
        elif n == "" :
            if p == "---p":
                cat = "anon guard/reserved"
            elif any(m["start"] <= sp < m["end"] for sp in sps.values()):
                cat = "thread stacks"
            elif m["start"] % (64 << 20) == 0 and i + 1 < len(maps) and maps[i+1]["perms"] == "---p" \
                    and maps[i+1]["start"] == m["end"] and maps[i+1]["end"] - m["start"] == (64 << 20):
                cat = "glibc arenas (non-main)"
            else:
                cat = f"anon rw {size} KiB"
        else:
            cat = n
        out.append((cat, m))
    return out

def report(pid):
    exe = os.readlink(f"/proc/{pid}/exe")
    comm = open(f"/proc/{pid}/comm").read().strip()
    maps = mappings(pid)
    agg = collections.OrderedDict()
    for cat, m in classify(pid, maps, exe):
        a = agg.setdefault(cat, collections.Counter())
        a["n"] += 1
        for k in ("Rss", "Pss", "Private_Dirty", "Private_Clean", "Shared_Clean", "Shared_Dirty", "Anonymous"):
            a[k] += m.get(k, 0)
        a["Size"] += (m["end"] - m["start"]) // 1024
    return comm, pid, agg

def pfns(pid, start, end):
    """Physical frames of the resident pages of [start, end) (root: /proc/PID/pagemap)."""
    out = set()
    with open(f"/proc/{pid}/pagemap", "rb") as f:
        f.seek(start // 4096 * 8)
        data = f.read((end - start) // 4096 * 8)
    for i in range(0, len(data), 8):
        e = int.from_bytes(data[i:i+8], "little")
        if e >> 63 & 1:
            out.add(e & ((1 << 55) - 1))
    return out

def distinct(pids):
    """Resident pages of all `pids` counted once each (what the group would hold alone), by category."""
    bycat = collections.defaultdict(set)
    allp = set()
    for pid in pids:
        exe = os.readlink(f"/proc/{pid}/exe")
        maps = mappings(pid)
        for cat, m in classify(pid, maps, exe):
            if m["perms"].startswith("---") or m["name"] in ("[vvar]", "[vsyscall]"): continue
            p = pfns(pid, m["start"], m["end"])
            if cat.startswith("anon rw"): cat = "anon (other)"
            if cat.startswith("exe"): cat = "executables " + cat.split()[1]
            bycat[cat] |= p
            allp |= p
    return allp, bycat

def main():
    grand = collections.Counter()
    per = []
    for pid in sys.argv[1:]:
        comm, pid, agg = report(pid)
        tot = collections.Counter()
        for a in agg.values():
            tot.update(a)
        per.append((comm, pid, tot))
        print(f"== {comm} ({pid}): Rss {tot['Rss']} KiB, Pss {tot['Pss']} KiB, Private_Dirty {tot['Private_Dirty']} KiB, threads {len(os.listdir(f'/proc/{pid}/task'))}")
        print(f"   {'mapping':44s} {'n':>3s} {'Size':>8s} {'Rss':>6s} {'Pss':>6s} {'PrivDirty':>9s}")
        for cat, a in sorted(agg.items(), key=lambda kv: -kv[1]["Pss"]):
            if a["Rss"] == 0: continue
            print(f"   {cat[:44]:44s} {a['n']:3d} {a['Size']:8d} {a['Rss']:6d} {a['Pss']:6d} {a['Private_Dirty']:9d}")
        grand.update(tot)
    print(f"== SUM over {len(per)} processes: Rss {grand['Rss']} KiB, Pss {grand['Pss']} KiB ({grand['Pss']/1024:.1f} MiB), Private_Dirty {grand['Private_Dirty']} KiB")
    for comm, pid, tot in per:
        print(f"   {comm:14s} Pss {tot['Pss']:6d} KiB  Rss {tot['Rss']:6d} KiB  PrivDirty {tot['Private_Dirty']:6d} KiB")
main()
allp, bycat = distinct(sys.argv[1:])
print(f"== DISTINCT resident pages over all {len(sys.argv)-1} processes (each physical page once): {len(allp)*4} KiB ({len(allp)*4/1024:.1f} MiB)")
small = 0
for cat, p in sorted(bycat.items(), key=lambda kv: -len(kv[1])):
    if len(p) * 4 >= 64:
        print(f"   {cat[:44]:44s} {len(p)*4:6d} KiB")
    else:
        small += len(p) * 4
print(f"   {'(groups under 64 KiB each)':44s} {small:6d} KiB")
