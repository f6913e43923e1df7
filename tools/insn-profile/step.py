# SPDX-License-Identifier: GPL-2.0
# gdb script (tools/insn-profile): at each of CALLS entries to the kernel function at ADDR,
# single-steps the guest until the function returns and records every instruction address.
# Environment: INSN_ADDR (hex), INSN_CALLS, INSN_OUT (JSON file), INSN_PORT; INSN_AFTER (hex,
# optional): count only the entries after the first entry to the function at that address.
import gdb, json, os

addr = int(os.environ["INSN_ADDR"], 16)
calls = int(os.environ["INSN_CALLS"])
out = os.environ["INSN_OUT"]
gdb.execute("set pagination off")
gdb.execute("set confirm off")
gdb.execute("target remote :" + os.environ.get("INSN_PORT", "1234"))
after = os.environ.get("INSN_AFTER")
if after:
    gdb.execute("hbreak *%#x" % int(after, 16))
    gdb.execute("continue", to_string=True)
    gdb.execute("delete")
gdb.execute("hbreak *%#x" % addr)
results = []
for call in range(calls):
    gdb.execute("continue", to_string=True)
    rsp0 = int(gdb.parse_and_eval("(unsigned long)$rsp"))
    ret = int(gdb.parse_and_eval("*(unsigned long *)$rsp"))
    pcs = []
    while len(pcs) < 500000:
        gdb.execute("stepi", to_string=True)
        pc = int(gdb.parse_and_eval("(unsigned long)$pc"))
        if pc == ret and int(gdb.parse_and_eval("(unsigned long)$rsp")) > rsp0:
            break
        pcs.append(pc)
    results.append(pcs)
    print("call %d: %d instructions" % (call, len(pcs)), flush=True)
json.dump(results, open(out, "w"))
gdb.execute("delete")
gdb.execute("detach")
