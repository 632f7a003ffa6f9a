"""What a learner's check sends, opened safely: a zip of ``answers.json`` and ``a<N>.npy`` only.

``unpack`` refuses, with a message that names the problem, anything else: a body over the size
limit, a member with another name (a folder, a path, ``..``), too many members, more bytes once
uncompressed than the limit (a zip bomb), an ``.npy`` whose header is not a plain array (object
dtype, a huge shape, a bad magic string), and ``answers.json`` that is not a JSON object. Nothing in
a payload is ever executed or unpickled; ``tools.grading.answers.decode`` reads the values.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

import numpy as np

MAX_BODY = 16 << 20  # a zip as sent
MAX_UNPACKED = 64 << 20  # its members once uncompressed, together
MAX_MEMBERS = 2000
MEMBER = re.compile(r"^(answers\.json|a\d{1,6}\.npy)$")


class PayloadError(ValueError):
    """The payload is refused; ``str()`` says why and what to send instead."""


def _check_npy(name: str, data: bytes) -> None:
    """An ``.npy`` header the checker will read: magic, version 1 or 2, a plain dtype, a sane shape."""
    f = io.BytesIO(data)
    readers = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}
    try:
        version = np.lib.format.read_magic(f)
        if version not in readers:
            raise ValueError(f"format version {version}")
        shape, _fortran, dtype = readers[version](f)
    except Exception as exc:  # noqa: BLE001 - any header numpy would not read is refused here
        raise PayloadError(f"{name} is not a valid .npy file ({exc}); send arrays saved by numpy.save"
                           ) from exc
    if dtype.hasobject:
        raise PayloadError(f"{name} holds Python objects (dtype {dtype}); send numbers or strings only")
    count = 1
    for dim in shape:  # Python ints: np.prod in int64 wraps (2**32 * 2**32 == 0)
        count *= int(dim)
    if any(int(dim) < 0 for dim in shape) or count * max(dtype.itemsize, 1) > MAX_UNPACKED:
        raise PayloadError(f"{name} declares shape {shape}, over {MAX_UNPACKED >> 20} MB")


def unpack(body: bytes, dest: Path) -> list[str]:
    """Check ``body`` (a zip) and write its members into ``dest``; returns their names."""
    if len(body) > MAX_BODY:
        raise PayloadError(f"the answers are {len(body) >> 20} MB, over the {MAX_BODY >> 20} MB limit")
    try:
        zf = zipfile.ZipFile(io.BytesIO(body))
        infos = zf.infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise PayloadError(f"the body is not a zip file ({exc}); send what grader.check sends") from exc
    if len(infos) > MAX_MEMBERS:
        raise PayloadError(f"the zip has {len(infos)} members, over {MAX_MEMBERS}")
    names = [i.filename for i in infos]
    bad = [n for n in names if not MEMBER.match(n)]
    if bad:
        raise PayloadError(f"member {bad[0][:80]!r} is not allowed: only answers.json and a<N>.npy")
    if len(set(names)) != len(names) or "answers.json" not in names:
        raise PayloadError("the zip needs exactly one answers.json and no name twice")
    if sum(i.file_size for i in infos) > MAX_UNPACKED:
        raise PayloadError(f"the zip unpacks to over {MAX_UNPACKED >> 20} MB")
    dest.mkdir(parents=True, exist_ok=True)
    for info in infos:
        try:  # at most the size the header declares: a member that inflates further is cut there
            with zf.open(info) as fh:
                data = fh.read(info.file_size + 1)
        except Exception as exc:  # noqa: BLE001 - bad CRC (a lying size), encrypted, unknown method
            raise PayloadError(f"{info.filename} could not be read from the zip ({exc})") from exc
        if len(data) != info.file_size:
            raise PayloadError(f"{info.filename} is not the size its header says")
        if info.filename.endswith(".npy"):
            _check_npy(info.filename, data)
        else:
            try:
                doc = json.loads(data)
            except (ValueError, RecursionError) as exc:  # also too deep, or an int over 4300 digits
                raise PayloadError(f"answers.json is not JSON ({str(exc)[:120]})") from exc
            if not isinstance(doc, dict):
                raise PayloadError("answers.json is not a JSON object")
        (dest / info.filename).write_bytes(data)
    return names


def pack(folder: Path) -> bytes:
    """The zip of ``folder``'s files (what the kernel sends, and what ``plan`` returns): the kernel's own
    ``lessons_lib.instant_check.zip_folder``, so both ends write the same format."""
    from lessons_lib.instant_check import zip_folder

    return zip_folder(folder)
