"""VPC facets.

``ec2.default_security_group_rule``: ``{direction}`` — one per rule added to a VPC's default
security group (Terraform's ``aws_default_security_group`` blocks, a rule resource whose group is
``GetAtt VPC.DefaultSecurityGroup`` / ``aws_vpc.x.default_security_group_id``).
``ec2.network_acl_entry``: ``{direction: ingress|egress, action: allow|deny, protocol, from_port,
to_port, cidr, ip_version, rule_number, cidr_group}`` — one per CIDR; ``cidr_group`` as for
security-group rules, over the allow entries of one ACL with the same direction, protocol and ports. ``ec2.subnet``: ``{map_public_ip_on_launch,
assign_ipv6_on_creation}``. ``ec2.vpc``: ``{flow_logs: [names of the flow logs attached]}``.
"""
from __future__ import annotations

from typing import Any, Iterable, Iterator

from ..load.located import LocDict, LocList, Span, Unknown
from .fields import blocks, entry_span, facet
from .network import mark_world_groups, normalise_protocol, port

NACL_ENTRY = "ec2.network_acl_entry"
DEFAULT_SG_RULE = "ec2.default_security_group_rule"
_CFN_SG_RULES = {"AWS::EC2::SecurityGroupIngress": "ingress", "AWS::EC2::SecurityGroupEgress": "egress"}
_TF_SG_RULES = {"aws_security_group_rule": None, "aws_vpc_security_group_ingress_rule": "ingress",
                "aws_vpc_security_group_egress_rule": "egress"}
SUBNET = "ec2.subnet"
VPC = "ec2.vpc"


def nacl_entry(direction: str, action: Any, protocol: Any, from_port: Any, to_port: Any, cidr: Any,
               rule_number: Any, cidr_span: Span, span: Span) -> LocDict:
    """One network ACL entry facet."""
    out = LocDict(span)
    out.put("direction", direction, span)
    out.put("action", action.lower() if isinstance(action, str) else action, span)
    out.put("protocol", normalise_protocol(protocol), span)
    out.put("from_port", port(from_port), span)
    out.put("to_port", port(to_port), span)
    out.put("cidr", cidr, cidr_span)
    out.put("ip_version", 6 if isinstance(cidr, str) and ":" in cidr else 4, cidr_span)
    out.put("rule_number", rule_number, span)
    out.put("cidr_group", None, span)
    return out


def group_nacl_entries(resources: list[Any]) -> None:
    """Mark (``cidr_group``, see ``network.mark_world_groups``) the allow entries of one network ACL
    with the same direction, protocol and ports whose CIDRs cover the whole address space only
    together. ``resources``: the model's resources; an entry's ACL is its ``NetworkAclId`` /
    ``network_acl_id`` as written, or the ``aws_network_acl`` that holds it."""
    groups: dict[tuple, list[LocDict]] = {}
    for resource in resources:
        if resource.kind != NACL_ENTRY:
            continue
        raw = resource.raw if isinstance(resource.raw, dict) else {}
        acl = raw.get("NetworkAclId", raw.get("network_acl_id", None))
        acl_key = repr(acl) if acl is not None else f"{resource.file}:{resource.name.split('.ingress[')[0].split('.egress[')[0]}"
        facet = resource.props
        if facet.get("action") != "allow":
            continue
        key = (resource.file, acl_key, facet.get("direction"), repr(facet.get("protocol")),
               repr(facet.get("from_port")), repr(facet.get("to_port")))
        groups.setdefault(key, []).append(facet)
    for same in groups.values():
        mark_world_groups(same)


def _egress(value: Any) -> str:
    return "egress" if value is True or str(value).lower() == "true" else "ingress"


def nacl_entries_from_cfn(rtype: str, props: LocDict, span: Span) -> Iterator[tuple[str, LocDict]]:
    """``(name suffix, facet)`` per CIDR of an ``AWS::EC2::NetworkAclEntry``."""
    if rtype != "AWS::EC2::NetworkAclEntry":
        return
    ports = props.get("PortRange") if isinstance(props.get("PortRange"), LocDict) else {}
    for key in ("CidrBlock", "Ipv6CidrBlock"):
        if key in props:
            yield f".{key}", nacl_entry(_egress(props.get("Egress")), props.get("RuleAction"), props.get("Protocol"),
                                        ports.get("From"), ports.get("To"), props[key], props.get("RuleNumber"),
                                        props.span_of(key), span)


def nacl_entries_from_tf(rtype: str, attrs: Any, span: Span) -> Iterator[tuple[str, LocDict]]:
    """The same for ``aws_network_acl_rule`` and the ``ingress``/``egress`` blocks of
    ``aws_network_acl`` / ``aws_default_network_acl``."""
    def entries(entry: Any, direction: str, action_key: str, where: Span, suffix: str):
        for key in ("cidr_block", "ipv6_cidr_block"):
            if isinstance(entry, LocDict) and entry.get(key) not in (None, ""):
                yield f"{suffix}.{key}", nacl_entry(direction, entry.get(action_key), entry.get("protocol"),
                                                    entry.get("from_port"), entry.get("to_port"), entry[key],
                                                    entry.get("rule_no", entry.get("rule_number")),
                                                    entry.span_of(key), where)
    if rtype == "aws_network_acl_rule":
        yield from entries(attrs, _egress(attrs.get("egress")), "rule_action", span, "")
    elif rtype in ("aws_network_acl", "aws_default_network_acl"):
        for direction in ("ingress", "egress"):
            for i, (entry, where) in enumerate(blocks(attrs, direction)):
                yield from entries(entry, direction, "action", where, f".{direction}[{i}]")


def _default_rule(direction: Any, span: Span) -> LocDict:
    out = LocDict(span)
    out.put("direction", direction, span)
    return out


def default_sg_rules_from_cfn(rtype: str, props: LocDict, span: Span) -> Iterator[LocDict]:
    """A security-group rule resource whose ``GroupId`` is a VPC's ``DefaultSecurityGroup``."""
    group = props.get("GroupId")
    if rtype in _CFN_SG_RULES and isinstance(group, Unknown) and group.text.endswith(".DefaultSecurityGroup"):
        yield _default_rule(_CFN_SG_RULES[rtype], span)


def default_sg_rules_from_tf(rtype: str, attrs: Any, span: Span) -> Iterator[tuple[str, LocDict]]:
    """The ``ingress``/``egress`` blocks of ``aws_default_security_group``, and rule resources whose
    ``security_group_id`` is a VPC's ``default_security_group_id``."""
    if rtype == "aws_default_security_group":
        for direction in ("ingress", "egress"):
            for i, (_, where) in enumerate(blocks(attrs, direction)):
                yield f".{direction}[{i}]", _default_rule(direction, where)
    elif rtype in _TF_SG_RULES:
        group = attrs.get("security_group_id") if isinstance(attrs, dict) else None
        if isinstance(group, Unknown) and group.text.endswith(".default_security_group_id"):
            yield "", _default_rule(_TF_SG_RULES[rtype] or attrs.get("type"), span)


def subnet_from_cfn(props: LocDict, span: Span) -> LocDict:
    """The facet of an ``AWS::EC2::Subnet``."""
    return facet(props, {"map_public_ip_on_launch": "MapPublicIpOnLaunch",
                         "assign_ipv6_on_creation": "AssignIpv6AddressOnCreation"}, span)


def subnet_from_tf(attrs: Any, span: Span) -> LocDict:
    """The facet of an ``aws_subnet``."""
    return facet(attrs, {"map_public_ip_on_launch": "map_public_ip_on_launch",
                         "assign_ipv6_on_creation": "assign_ipv6_address_on_creation"}, span)


def vpc_facet(flow_logs: Iterable[str], span: Span) -> LocDict:
    """The ``ec2.vpc`` facet given the names of the flow logs whose target is this VPC (matched by
    the caller: a CloudFormation ``Ref``/``GetAtt`` to the VPC, a Terraform ``aws_vpc.x.id``)."""
    out = LocDict(span)
    names = LocList(span)
    for name in flow_logs:
        names.add(name, span)
    out.put("flow_logs", names, span)
    return out


def refs_in(value: Any) -> set[str]:
    """Logical ids named by ``Ref``/``Fn::GetAtt`` anywhere inside a raw CloudFormation value."""
    found: set[str] = set()
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, child in item.items():
                if key == "Ref" and isinstance(child, str):
                    found.add(child)
                elif key == "Fn::GetAtt":
                    target = child[0] if isinstance(child, list) and child else child
                    if isinstance(target, str):
                        found.add(target.split(".")[0])
                else:
                    stack.append(child)
        elif isinstance(item, list):
            stack.extend(item)
    return found


def vpcs_from_cfn(resources: LocDict) -> Iterator[tuple[str, LocDict]]:
    """``(logical id, ec2.vpc facet)`` for each ``AWS::EC2::VPC`` of a template's ``Resources``,
    with the ``AWS::EC2::FlowLog`` resources whose ``ResourceId`` refers to it."""
    targets: dict[str, list[str]] = {}
    for logical, body in resources.items():
        if isinstance(body, dict) and body.get("Type") == "AWS::EC2::FlowLog":
            props = body.get("Properties")
            for name in refs_in(props.get("ResourceId") if isinstance(props, dict) else None):
                targets.setdefault(name, []).append(str(logical))
    for logical, body in resources.items():
        if isinstance(body, dict) and body.get("Type") == "AWS::EC2::VPC":
            span = entry_span(resources, logical)
            yield str(logical), vpc_facet(targets.get(str(logical), []), span)
