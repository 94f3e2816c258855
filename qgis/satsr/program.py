"""Finds and runs the satsr program: its plain progress lines drive QGIS's progress bar, QGIS's cancel becomes a SIGTERM
(satsr then keeps what --resume needs), and a failure arrives as satsr's own one-line message."""

import os
import queue
import re
import shlex
import shutil
import signal
import subprocess
import threading

from qgis.core import QgsProcessingException

# The environment variable, and the key of the provider's setting.
SETTING = "SATSR_PROGRAM"

# What `satsr qgis install` records: the program that installed the plugin.
_INSTALLED = os.path.join(os.path.dirname(__file__), "program.txt")

# "scene.tif: 3/16 tiles (19 %), …", "scene.tif (resampling): 2/8 pieces (25 %)", "scene.tif (overviews): 40 %",
# and the trainer's "step 10/2000  loss …".
_COUNTED = re.compile(r"^(?P<what>.*?): (?P<done>\d+)/(?P<total>\d+) (?:tiles|pieces) \(")
_PERCENT = re.compile(r"^(?P<what>.*?): (?P<percent>\d+) %")
_STEP = re.compile(r"^step (?P<done>\d+)/(?P<total>\d+)\b")


def installed_command():
    try:
        with open(_INSTALLED, encoding="utf-8") as f:
            return f.read().strip()
    except OSError:
        return ""


def command():
    """$SATSR_PROGRAM, else the provider's setting, else satsr on PATH; a command line split as a shell would."""
    from processing.core.ProcessingConfig import ProcessingConfig

    for text in (os.environ.get(SETTING), ProcessingConfig.getSetting(SETTING)):
        if text:
            return shlex.split(str(text))
    found = shutil.which("satsr")
    if found is None:
        raise QgsProcessingException(
            "satsr: program not found; run `satsr qgis install` again, set SATSR_PROGRAM, or name it in "
            "Settings → Options → Processing → Providers → SatSR")
    return [found]


def progress(line):
    """(percent, what) for a progress line, else None."""
    if m := _COUNTED.match(line) or _STEP.match(line):
        total = max(1, int(m["total"]))
        return 100.0 * int(m["done"]) / total, m.groupdict().get("what") or "training"
    if m := _PERCENT.match(line):
        return float(m["percent"]), m["what"]
    return None


def ask(arguments, timeout):
    """satsr's standard output lines for a quick question; a satsr still busy after `timeout` seconds (the launcher
    building after a change) is stopped whole, with what it started, and SubprocessError raised."""
    with subprocess.Popen(command() + arguments, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True, start_new_session=True) as process:
        try:
            output, _ = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGTERM)
            raise
    if process.returncode != 0:
        raise subprocess.CalledProcessError(process.returncode, process.args)
    return output.splitlines()


def run(arguments, feedback):
    """Runs satsr with `arguments` to its end; its standard output lines, or QgsProcessingException with its error."""
    line_command = command() + [str(a) for a in arguments]
    feedback.pushCommandInfo(" ".join(shlex.quote(a) for a in line_command))
    # Plain lines, no colour codes: satsr writes its progress as lines when its output is not a terminal.
    environment = dict(os.environ, NO_COLOR="1")
    try:
        # A session of its own: a signal to the group reaches satsr and the trainer it starts, and nothing else.
        process = subprocess.Popen(line_command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, text=True, encoding="utf-8", errors="replace",
                                   env=environment, start_new_session=True)
    except OSError as e:
        raise QgsProcessingException(f"{line_command[0]}: cannot start satsr ({e.strerror})") from e

    lines = queue.Queue()
    for stream in (process.stdout, process.stderr):
        threading.Thread(target=_pump, args=(stream, lines), daemon=True).start()

    output, failure, interrupted, streams, stage = [], None, False, 2, None
    while streams:
        # Polled, not waited on: QGIS's cancel button only sets a flag.
        # SIGTERM, which both take as Ctrl-C: a QGIS started in the background of a shell script passes SIGINT on
        # ignored, and .NET leaves it ignored.
        if feedback.isCanceled() and not interrupted:
            os.killpg(process.pid, signal.SIGTERM)
            interrupted = True
        try:
            stream, line = lines.get(timeout=0.1)
        except queue.Empty:
            continue
        if line is None:
            streams -= 1
        elif stream is process.stderr:
            if line.startswith(("error:", "cancelled")):
                failure = line
            elif line:
                feedback.pushWarning(line)
        elif (done := progress(line)) is not None:
            feedback.setProgress(done[0])
            if done[1] != stage:
                stage = done[1]
                feedback.setProgressText(stage)
        else:
            output.append(line)
            feedback.pushInfo(line)
    code = process.wait()
    if code != 0:
        raise QgsProcessingException(failure or f"satsr ended with exit code {code}")
    return output


def _pump(stream, lines):
    with stream:
        for line in stream:
            lines.put((stream, line.rstrip("\r\n")))
    lines.put((stream, None))
