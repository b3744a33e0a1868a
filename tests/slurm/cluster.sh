# tests/slurm/cluster.sh: a one-node Slurm cluster on localhost, for tests (sourced).
#
# rs_slurm_start DIR starts munged (its own key, socket, log and pid file in
# DIR), then slurmctld and slurmd with DIR/slurm.conf: free ports above 10000
# chosen now, state and spool folders in DIR, this machine's name and CPUs,
# proctrack/linuxproc and task/none (no cgroups needed).  It exports
# SLURM_CONF so sbatch, squeue and scontrol talk to this cluster only, and
# records every daemon's pid in RS_SLURM_PIDS.  rs_slurm_stop stops them by
# pid (call it from a trap).  When a daemon does not come up, rs_slurm_start
# prints its log and returns 1: the caller fails, it never skips.
# Everything lives in DIR (a mktemp folder): several clusters can run at once.

RS_SLURM_PIDS=""

# A TCP port above 10000 that nothing listens on now (random start, then up).
rs_free_port() {
    local p=$((10000 + RANDOM % 50000)) tries=0
    while [ $tries -lt 200 ]; do
        if ! ss -Htan 2>/dev/null | awk '{print $4}' | grep -q ":$p\$" \
           && ! printf '%s\n' "${RS_SLURM_PORTS_TAKEN:-}" | grep -qw "$p"; then
            RS_SLURM_PORTS_TAKEN="${RS_SLURM_PORTS_TAKEN:-} $p"
            echo "$p"
            return 0
        fi
        p=$((p + 1)); [ $p -lt 65000 ] || p=10001
        tries=$((tries + 1))
    done
    return 1
}

# Prints a daemon's log for a failure message.
rs_slurm_log() {
    echo "---- $1 ($2) ----" >&2
    if [ -f "$2" ]; then tail -n 40 "$2" >&2; else echo "(no log written)" >&2; fi
}

# Waits up to $2 seconds for command $1 (a string run by sh, each try bounded
# to 5 s) to succeed; gives up at once when process $3 (the daemon) is gone.
rs_slurm_wait() {
    local cmd=$1 limit=$2 pid=${3:-} end=$((SECONDS + $2))
    while [ $SECONDS -lt $end ]; do
        timeout 5 sh -c "$cmd" >/dev/null 2>&1 && return 0
        if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
            return 1
        fi
        sleep 0.2
    done
    return 1
}

rs_slurm_start() {
    local dir=$1 host cpus ctld_port d_port
    host=$(hostname -s)
    cpus=$(nproc)
    mkdir -p "$dir/state" "$dir/spool" "$dir/munge"
    chmod 755 "$dir/munge"     # munged wants its socket's folder reachable by all

    # munge: its own key, socket, pid, log and seed in DIR.
    dd if=/dev/urandom of="$dir/munge/munge.key" bs=1024 count=1 2>/dev/null
    chmod 400 "$dir/munge/munge.key"
    munged --force --socket="$dir/munge/munge.sock" --key-file="$dir/munge/munge.key" \
        --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" \
        --seed-file="$dir/munge/munged.seed" --foreground >/dev/null 2>>"$dir/munge/munged.log" &
    RS_SLURM_PIDS="$RS_SLURM_PIDS $!"
    if ! rs_slurm_wait "test -S '$dir/munge/munge.sock'" 10 $!; then
        echo "slurm test: munged did not start" >&2
        rs_slurm_log munged "$dir/munge/munged.log"
        return 1
    fi

    ctld_port=$(rs_free_port) && d_port=$(rs_free_port) || { echo "slurm test: no free port" >&2; return 1; }
    cat >"$dir/slurm.conf" <<CONF
ClusterName=rstest
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$d_port
SlurmUser=$(id -un)
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.sock
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/slurmd-%n
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
PlugStackConfig=$dir/plugstack.conf
InactiveLimit=0
KillWait=5
MinJobAge=300
SlurmctldTimeout=30
SlurmdTimeout=30
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=rstest Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
    : >"$dir/plugstack.conf"
    export SLURM_CONF="$dir/slurm.conf"

    slurmctld -D -i -f "$dir/slurm.conf" >>"$dir/slurmctld.log" 2>&1 &
    RS_SLURM_PIDS="$RS_SLURM_PIDS $!"
    if ! rs_slurm_wait "scontrol ping | grep -q UP" 20 $!; then
        echo "slurm test: slurmctld did not start" >&2
        rs_slurm_log slurmctld "$dir/slurmctld.log"
        rs_slurm_log munged "$dir/munge/munged.log"
        return 1
    fi
    slurmd -D -f "$dir/slurm.conf" -N "$host" >>"$dir/slurmd.log" 2>&1 &
    RS_SLURM_PIDS="$RS_SLURM_PIDS $!"
    if ! rs_slurm_wait "sinfo -h -N -o %t | grep -Eq '^(idle|mix|alloc)'" 30 $!; then
        echo "slurm test: slurmd did not register its node" >&2
        sinfo -N >&2 || true
        rs_slurm_log slurmd "$dir/slurmd.log"
        rs_slurm_log slurmctld "$dir/slurmctld.log"
        return 1
    fi
    return 0
}

# Stops every daemon rs_slurm_start started, by pid; waits for them (bounded).
rs_slurm_stop() {
    local p i
    for p in $RS_SLURM_PIDS; do kill "$p" 2>/dev/null || true; done
    for p in $RS_SLURM_PIDS; do
        i=0
        while kill -0 "$p" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
        kill -9 "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
    RS_SLURM_PIDS=""
}
