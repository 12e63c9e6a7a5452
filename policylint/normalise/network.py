"""Network facets: one security-group rule per CIDR, and the CIDRs any resource declares.

Security-group rule facet (kind ``ec2.security_group_rule``)::

    {direction: ingress|egress, protocol: all|tcp|udp|icmp|icmpv6|<number>,
     from_port, to_port, cidr, ip_version: 4|6, group, description, cidr_group}

``cidr_group`` is set on the first facet of a rule (or of a security group's rules with the same
protocol and ports) whose CIDRs of one IP version together cover the whole address space while none
does alone (``0.0.0.0/1`` plus ``128.0.0.0/1``): the list of those CIDRs, so ``cidr_world`` sees
the rule as open to the internet. Otherwise ``None``.

Network facet (kind ``network``): ``{cidrs: [..]}`` for VPCs, subnets, security-group rules,
network ACL entries and routes.
"""
from __future__ import annotations

import ipaddress
from typing import Any, Iterable, Iterator

from ..load.located import LocDict, LocList, Span
from .fields import is_set

PROTOCOLS = {"-1": "all", "all": "all", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}

# CloudFormation type → CIDR-bearing property names.
CFN_CIDR_FIELDS: dict[str, tuple[str, ...]] = {
    "AWS::EC2::VPC": ("CidrBlock",),
    "AWS::EC2::VPCCidrBlock": ("CidrBlock", "Ipv6CidrBlock"),
    "AWS::EC2::Subnet": ("CidrBlock", "Ipv6CidrBlock"),
    "AWS::EC2::SubnetCidrBlock": ("Ipv6CidrBlock",),
    "AWS::EC2::NetworkAclEntry": ("CidrBlock", "Ipv6CidrBlock"),
    "AWS::EC2::Route": ("DestinationCidrBlock", "DestinationIpv6CidrBlock"),
    "AWS::EC2::SecurityGroupIngress": ("CidrIp", "CidrIpv6"),
    "AWS::EC2::SecurityGroupEgress": ("CidrIp", "CidrIpv6"),
    "AWS::EC2::ClientVpnEndpoint": ("ClientCidrBlock",),
    "AWS::EC2::ClientVpnRoute": ("DestinationCidrBlock",),
    "AWS::EC2::ClientVpnAuthorizationRule": ("TargetNetworkCidr",),
    "AWS::EC2::TransitGatewayRoute": ("DestinationCidrBlock",),
}
_SG_LISTS = (("SecurityGroupIngress", "ingress"), ("SecurityGroupEgress", "egress"))


def normalise_protocol(value: Any) -> Any:
    """``-1``/``"all"`` → ``all``; protocol numbers of tcp/udp/icmp → their names."""
    if isinstance(value, (int, str)) and not isinstance(value, bool):
        text = str(value).lower()
        return PROTOCOLS.get(text, text)
    return value


def port(value: Any) -> Any:
    """A port as an int when it is one, else the value as written."""
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return value


def sg_rule(direction: str, protocol: Any, from_port: Any, to_port: Any, cidr: Any, cidr_span: Span,
            span: Span, ip_version: int, group: Any = None, description: Any = None,
            spans: dict[str, Span] | None = None) -> LocDict:
    """One security-group rule facet; ``spans`` locates protocol/ports where they were written."""
    spans = spans or {}
    rule = LocDict(span)
    rule.put("direction", direction, span)
    rule.put("protocol", normalise_protocol(protocol), spans.get("protocol", span))
    rule.put("from_port", port(from_port), spans.get("from_port", span))
    rule.put("to_port", port(to_port), spans.get("to_port", span))
    rule.put("cidr", cidr, cidr_span)
    rule.put("ip_version", ip_version, cidr_span)
    rule.put("group", group, span)
    rule.put("description", description if is_set(description) else None, span)
    rule.put("cidr_group", None, span)
    return rule


def _network(value: Any) -> Any:
    try:
        return ipaddress.ip_network(value.strip(), strict=False) if isinstance(value, str) and "/" in value else None
    except ValueError:
        return None


def covers_address_space(cidrs: Iterable[Any]) -> bool:
    """Whether CIDRs together cover all of IPv4 or all of IPv6."""
    nets = [n for n in (_network(c) for c in cidrs) if n is not None]
    for version in (4, 6):
        same = [n for n in nets if n.version == version]
        if same and [n.prefixlen for n in ipaddress.collapse_addresses(same)] == [0]:
            return True
    return False


def mark_world_groups(rules: list[LocDict]) -> None:
    """Set ``cidr_group`` on the first rule of ``rules`` (the facets of one rule, or of rules with
    the same protocol and ports) when their CIDRs of one IP version cover the whole space only
    together."""
    for version in (4, 6):
        same = [r for r in rules if r.get("ip_version") == version]
        cidrs = [r["cidr"] for r in same]
        if len(same) < 2 or any(covers_address_space([c]) for c in cidrs) or not covers_address_space(cidrs):
            continue
        group = LocList(same[0].span_of("cidr"))
        for rule in same:
            group.add(rule["cidr"], rule.span_of("cidr"))
        same[0].put("cidr_group", group, group.span)


def _rules_of_entry(entry: LocDict, direction: str, span: Span, group: Any) -> Iterator[tuple[str, LocDict]]:
    spans = {
        "protocol": entry.span_of("IpProtocol"),
        "from_port": entry.span_of("FromPort"),
        "to_port": entry.span_of("ToPort"),
    }
    for key, version in (("CidrIp", 4), ("CidrIpv6", 6)):
        if key in entry:
            yield f".{key}", sg_rule(
                direction, entry.get("IpProtocol"), entry.get("FromPort"), entry.get("ToPort"),
                entry[key], entry.span_of(key), span, version, group, entry.get("Description"), spans,
            )


def sg_rules_from_cfn(rtype: str, props: LocDict, span: Span) -> Iterator[tuple[str, LocDict]]:
    """``(name suffix, facet)`` for each CIDR of a security group's inline or standalone rules."""
    if rtype == "AWS::EC2::SecurityGroup":
        for key, direction in _SG_LISTS:
            entries = props.get(key)
            if not isinstance(entries, LocList):
                continue
            found = [(f".{key}[{i}]{suffix}", rule) for i, entry in enumerate(entries) if isinstance(entry, LocDict)
                     for suffix, rule in _rules_of_entry(entry, direction, entries.span_of(i), None)]
            by_ports: dict[str, list[LocDict]] = {}
            for _, rule in found:
                by_ports.setdefault(repr((rule["protocol"], rule["from_port"], rule["to_port"])), []).append(rule)
            for same in by_ports.values():
                mark_world_groups(same)
            yield from found
    elif rtype in ("AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress"):
        direction = "ingress" if rtype.endswith("Ingress") else "egress"
        yield from _rules_of_entry(props, direction, props.span, props.get("GroupId"))


def cidr_facet(span: Span) -> LocDict:
    """An empty network facet."""
    facet = LocDict(span)
    facet.put("cidrs", LocList(span), span)
    return facet


def cidrs_from_cfn(rtype: str, props: LocDict) -> LocDict | None:
    """The network facet of a CloudFormation resource with CIDR fields, else ``None``."""
    facet = cidr_facet(props.span)
    cidrs: LocList = facet["cidrs"]
    fields = CFN_CIDR_FIELDS.get(rtype, ())
    for key in fields:
        if key in props:
            cidrs.add(props[key], props.span_of(key))
    if rtype == "AWS::EC2::SecurityGroup":
        for key, _ in _SG_LISTS:
            entries = props.get(key)
            for entry in entries if isinstance(entries, LocList) else []:
                if isinstance(entry, LocDict):
                    for field in ("CidrIp", "CidrIpv6"):
                        if field in entry:
                            cidrs.add(entry[field], entry.span_of(field))
    if not fields and rtype != "AWS::EC2::SecurityGroup":
        return None
    return facet
