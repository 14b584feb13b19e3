"""The privacy scan as `privacy-scan --json` prints it, and as a person reads it."""
from __future__ import annotations

from privacy.model import FileScan, ImageScan, RegionKind


def to_json(scan: FileScan) -> dict:
    """The JSON shape in DESIGN.md; a document adds ``embedded_images`` for the images inside it."""
    faces, text = _image_parts(scan.image)
    out: dict = {"file": scan.filename, "media_type": scan.media_type, "faces": faces, "text": text,
                 "personal_data": [{"kind": str(finding.kind), "excerpt": finding.excerpt}
                                   for finding in (scan.document.personal_data if scan.document else ())],
                 "case_file": scan.case_file}
    if scan.document is not None:
        out["embedded_images"] = [dict(zip(("faces", "text"), _image_parts(item.scan), strict=True), where=item.where)
                                  for item in scan.embedded]
    return out


def _image_parts(image: ImageScan | None) -> tuple[list[dict], list[dict]]:
    if image is None:
        return [], []
    faces = [{"box": region.box.as_list()} for region in image.faces]
    text = []
    for region in image.regions:
        if region.kind not in (RegionKind.SENSITIVE_TEXT, RegionKind.TEXT):
            continue
        entry: dict = {"box": region.box.as_list(), "text": region.text,
                       "sensitive": region.kind is RegionKind.SENSITIVE_TEXT}
        if region.reason:
            entry["reason"] = region.reason
        text.append(entry)
    return faces, text


def to_text(scan: FileScan) -> str:
    """Lines for a person: what was found, where, and what Haven would do with it."""
    lines = [f"{scan.filename} ({scan.media_type})"]
    if scan.image is not None:
        lines += _image_lines(scan.image, indent="  ")
    for item in scan.embedded:
        lines.append(f"  image on {item.where}:" if item.where.startswith("page") else f"  image {item.where}:")
        lines += _image_lines(item.scan, indent="    ")
    if scan.document is not None:
        if scan.document.personal_data:
            lines.append(f"  personal data: {len(scan.document.personal_data)} finding(s)")
            lines += [f"    {finding.label}: “{finding.excerpt}”" for finding in scan.document.personal_data]
        else:
            lines.append("  personal data: none found")
        lines.append(f"  case file: {'YES — ' + scan.document.message() if scan.case_file else 'no'}")
    return "\n".join(lines)


def _image_lines(image: ImageScan, indent: str) -> list[str]:
    lines = [f"{indent}{image.width} × {image.height} pixels: {len(image.faces)} face(s), "
             f"{len(image.sensitive)} sensitive text region(s), {len(image.plain)} other text region(s)"]
    for region in image.regions:
        box = "[" + ", ".join(str(value) for value in region.box.as_list()) + "]"
        if region.kind is RegionKind.FACE:
            lines.append(f"{indent}  face at {box} — blurred")
        elif region.kind is RegionKind.SENSITIVE_TEXT:
            lines.append(f"{indent}  “{region.text}” at {box} — {region.reason}, blurred")
        else:
            lines.append(f"{indent}  “{region.text}” at {box} — kept legible")
    return lines
