#!/usr/bin/env bash
# Start a one-node Slurm cluster on this machine for test/sweep/slurm-cluster.test.ts: munge + slurmctld +
# slurmd as plain daemons (containers have no systemd), one node (this host, its real CPUs and memory) in one
# default partition "debug". No cgroups (proctrack/linuxproc, task/none, no accounting): they are often not
# writable inside containers and a one-node test cluster does not need them.
# Idempotent: if the node already answers idle/mixed/allocated it only prints `sinfo`. Exits non-zero with the
# reason (and the tail of the daemon logs) when the cluster cannot be brought up.
set -euo pipefail

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
CONF=/etc/slurm/slurm.conf
MARK="# written by exoniche .ci/slurm-up.sh"
LOGDIR=/var/log/slurm
WAIT_S=${SLURM_UP_WAIT_S:-60}

say() { echo "slurm-up: $*"; }
fail() {
  echo "slurm-up: FAILED: $*" >&2
  for f in "$LOGDIR/slurmctld.log" "$LOGDIR/slurmd.log" /var/log/munge/munged.log; do
    if $SUDO test -f "$f"; then
      echo "--- last lines of $f" >&2
      $SUDO tail -n 20 "$f" >&2 || true
    fi
  done
  exit 1
}
# a live controller answers in milliseconds; without one sinfo retries for ~10 s, hence the timeout
node_state() { timeout 5 sinfo -h -N -o '%T' 2>/dev/null | head -n 1 || true; }
# alive PIDFILE NAME: the pid file names a live (not zombie) process called NAME (pids get reused)
alive() {
  local pid
  pid=$($SUDO cat "$1" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$2" ] &&
    [ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]
}

# already up: our controller is alive (or the host has its own Slurm configuration) and the node answers
if command -v sinfo >/dev/null && { alive /run/slurmctld.pid slurmctld || ! $SUDO grep -qsF "$MARK" "$CONF"; } &&
  [[ "$(node_state)" =~ ^(idle|mixed|allocated|completing)$ ]]; then
  say "already up"
  sinfo
  exit 0
fi

# 1. packages (Debian: slurm-wlm pulls slurmctld, slurmd and the client commands; munge for authentication)
if ! command -v slurmctld >/dev/null || ! command -v slurmd >/dev/null || ! command -v sbatch >/dev/null ||
  ! command -v munged >/dev/null; then
  say "installing slurm-wlm and munge"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null ||
    fail "apt-get install slurm-wlm munge failed"
fi

# 2. munge: a key (the package usually creates one), then the daemon as user munge
if ! $SUDO test -s /etc/munge/munge.key; then
  say "creating the munge key"
  $SUDO mkdir -p /etc/munge
  $SUDO mungekey --create --keyfile=/etc/munge/munge.key --force || fail "mungekey could not create a key"
fi
$SUDO chown munge:munge /etc/munge /etc/munge/munge.key
$SUDO chmod 0700 /etc/munge
$SUDO chmod 0400 /etc/munge/munge.key
$SUDO mkdir -p /run/munge /var/log/munge /var/lib/munge
$SUDO chown munge:munge /run/munge /var/log/munge /var/lib/munge
$SUDO chmod 0755 /run/munge
if ! alive /run/munge/munged.pid munged; then
  say "starting munged"
  $SUDO runuser -u munge -- /usr/sbin/munged || fail "munged did not start"
fi
for _ in $(seq 1 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break || sleep 0.1; done
munge -n | unmunge >/dev/null || fail "munge credentials do not round-trip (munge -n | unmunge)"

# 3. slurm.conf for one node: this host with what `slurmd -C` measures (CPUs, sockets, cores, RealMemory)
HOST=$(hostname -s)
HW=$(slurmd -C | head -n 1) || fail "slurmd -C could not read the hardware"
[[ "$HW" == NodeName=* ]] || fail "unexpected slurmd -C output: $HW"
# the node address: the host name if it resolves, else loopback
ADDR=$HOST
getent hosts "$HOST" >/dev/null || ADDR=127.0.0.1
if $SUDO test -f "$CONF" && ! $SUDO grep -qF "$MARK" "$CONF"; then
  say "keeping the existing $CONF (not written by this script)"
else
  $SUDO mkdir -p /etc/slurm
  $SUDO tee "$CONF.tmp" >/dev/null <<EOF
$MARK
ClusterName=exoniche-ci
SlurmctldHost=$HOST($ADDR)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldLogFile=$LOGDIR/slurmctld.log
SlurmdLogFile=$LOGDIR/slurmd.log
SlurmctldTimeout=30
SlurmdTimeout=30
InactiveLimit=0
MinJobAge=600
KillWait=5
Waittime=0
$HW NodeAddr=$ADDR State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
EOF
  $SUDO mv "$CONF.tmp" "$CONF"
fi
$SUDO mkdir -p /var/spool/slurmctld /var/spool/slurmd "$LOGDIR"

# 4. the daemons (they fork into the background themselves); -c: start clean, ignore old saved state
if ! alive /run/slurmctld.pid slurmctld; then
  say "starting slurmctld"
  $SUDO slurmctld -c -i || fail "slurmctld did not start"
fi
if ! alive /run/slurmd.pid slurmd; then
  say "starting slurmd"
  $SUDO slurmd -c || fail "slurmd did not start"
fi

# 5. wait until the node is idle (a node left down by an earlier run is resumed once)
resumed=0
for _ in $(seq 1 $((WAIT_S * 2))); do
  state=$(node_state)
  case "$state" in
  idle | mixed | allocated | completing)
    say "up: node $HOST $state"
    sinfo
    exit 0
    ;;
  down* | drain* | fail*)
    if [ "$resumed" -eq 0 ]; then
      resumed=1
      $SUDO scontrol update NodeName="$HOST" State=RESUME 2>/dev/null || true
    fi
    ;;
  esac
  sleep 0.5
done
fail "node $HOST not idle after ${WAIT_S} s (state: '$(node_state)'; scontrol: $(scontrol show node "$HOST" 2>&1 | grep -oE 'State=[^ ]+|Reason=.*' | tr '\n' ' '))"
