"""Storage encryption facets.

``ebs.volume``: ``{encrypted, kms_key_id}`` — an EBS volume, or one EBS block-device mapping of an
instance, launch template or launch configuration. ``rds.storage``: ``{encrypted, kms_key_id}`` — an
RDS instance or cluster (also DocumentDB and Neptune clusters). ``encrypted`` is unknown where the
setting is inherited (a volume from a snapshot, an instance in a cluster, a restored snapshot or a
read replica), so rules stay silent there.
"""
from __future__ import annotations

from typing import Any, Iterator

from ..load.located import LocDict, LocList, Span
from .fields import blocks, facet, inherited

EBS_VOLUME = "ebs.volume"
RDS_STORAGE = "rds.storage"

_CFN_MAPPINGS = {
    "AWS::EC2::Instance": ("BlockDeviceMappings",),
    "AWS::EC2::LaunchTemplate": ("LaunchTemplateData", "BlockDeviceMappings"),
    "AWS::AutoScaling::LaunchConfiguration": ("BlockDeviceMappings",),
}
_CFN_RDS = {
    "AWS::RDS::DBInstance": ("DBClusterIdentifier", "SourceDBInstanceIdentifier", "DBSnapshotIdentifier",
                             "SourceDBInstanceAutomatedBackupsArn", "SourceDBClusterIdentifier"),
    "AWS::RDS::DBCluster": ("SnapshotIdentifier", "SourceDBClusterIdentifier"),
    "AWS::DocDB::DBCluster": ("SnapshotIdentifier",),
    "AWS::Neptune::DBCluster": ("SnapshotIdentifier", "RestoreType"),
}
_TF_RDS = {
    "aws_db_instance": ("replicate_source_db", "snapshot_identifier"),
    "aws_rds_cluster": ("snapshot_identifier", "replication_source_identifier"),
    "aws_docdb_cluster": ("snapshot_identifier",),
    "aws_neptune_cluster": ("snapshot_identifier", "replication_source_identifier"),
}


def _volume(src: Any, span: Span, keys: tuple[str, str], snapshot_key: str) -> LocDict:
    out = facet(src, {"encrypted": keys[0], "kms_key_id": keys[1]}, span)
    if out["encrypted"] is None and isinstance(src, dict) and src.get(snapshot_key) is not None:
        out.put("encrypted", inherited(f"{snapshot_key}: encryption follows the snapshot"), span)
    return out


def volumes_from_cfn(rtype: str, props: LocDict, span: Span) -> Iterator[tuple[str, LocDict]]:
    """``(name suffix, facet)`` for an ``AWS::EC2::Volume`` and each EBS block-device mapping."""
    if rtype == "AWS::EC2::Volume":
        yield "", _volume(props, span, ("Encrypted", "KmsKeyId"), "SnapshotId")
        return
    path = _CFN_MAPPINGS.get(rtype)
    if path is None:
        return
    node: Any = props
    for key in path:
        node = node.get(key) if isinstance(node, LocDict) else None
    if not isinstance(node, LocList):
        return
    for i, mapping in enumerate(node):
        ebs = mapping.get("Ebs") if isinstance(mapping, LocDict) else None
        if isinstance(ebs, LocDict):
            yield f".{'.'.join(path)}[{i}]", _volume(ebs, mapping.span_of("Ebs"), ("Encrypted", "KmsKeyId"), "SnapshotId")


def volumes_from_tf(rtype: str, attrs: Any, span: Span) -> Iterator[tuple[str, LocDict]]:
    """The same for ``aws_ebs_volume`` and the ``ebs_block_device``/``root_block_device`` blocks of
    ``aws_instance`` and ``block_device_mappings { ebs { } }`` of ``aws_launch_template``."""
    if rtype == "aws_ebs_volume":
        yield "", _volume(attrs, span, ("encrypted", "kms_key_id"), "snapshot_id")
    elif rtype in ("aws_instance", "aws_launch_configuration"):
        for name in ("root_block_device", "ebs_block_device"):
            for i, (device, where) in enumerate(blocks(attrs, name)):
                yield f".{name}[{i}]", _volume(device, where, ("encrypted", "kms_key_id"), "snapshot_id")
    elif rtype == "aws_launch_template":
        for i, (mapping, _) in enumerate(blocks(attrs, "block_device_mappings")):
            for ebs, where in blocks(mapping, "ebs"):
                yield f".block_device_mappings[{i}]", _volume(ebs, where, ("encrypted", "kms_key_id"), "snapshot_id")


def _storage(src: Any, span: Span, keys: tuple[str, str], inheriting: tuple[str, ...],
             serverless: bool) -> LocDict:
    out = facet(src, {"encrypted": keys[0], "kms_key_id": keys[1]}, span)
    if out["encrypted"] is None:
        source = next((k for k in inheriting if isinstance(src, dict) and src.get(k) is not None), None)
        if source is not None:
            out.put("encrypted", inherited(f"{source}: encryption is inherited"), span)
        elif serverless:
            out.put("encrypted", True, span)  # Aurora Serverless v1 storage is always encrypted
    return out


def rds_from_cfn(rtype: str, props: LocDict, span: Span) -> LocDict | None:
    """The ``rds.storage`` facet of an RDS/DocumentDB/Neptune instance or cluster, else ``None``."""
    inheriting = _CFN_RDS.get(rtype)
    if inheriting is None:
        return None
    serverless = str(props.get("EngineMode", "")).lower() == "serverless"
    return _storage(props, span, ("StorageEncrypted", "KmsKeyId"), inheriting, serverless)


def rds_from_tf(rtype: str, attrs: Any, span: Span) -> LocDict | None:
    """The same for ``aws_db_instance``, ``aws_rds_cluster``, ``aws_docdb_cluster``,
    ``aws_neptune_cluster``."""
    inheriting = _TF_RDS.get(rtype)
    if inheriting is None:
        return None
    serverless = str(attrs.get("engine_mode", "")).lower() == "serverless"
    if rtype == "aws_db_instance" and attrs.get("engine", "") and str(attrs.get("engine")).startswith("aurora"):
        inheriting = inheriting + ("engine",)  # an Aurora instance takes its cluster's setting
    return _storage(attrs, span, ("storage_encrypted", "kms_key_id"), inheriting, serverless)
