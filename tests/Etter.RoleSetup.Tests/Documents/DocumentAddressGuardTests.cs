using System.Net;
using Etter.RoleSetup.Documents;

namespace Etter.RoleSetup.Tests.Documents;

public sealed class DocumentAddressGuardTests
{
    readonly DocumentAddressGuard _strict = new([]);

    [Theory]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.255.0.9", "loopback")]
    [InlineData("::1", "loopback")]
    [InlineData("10.1.2.3", "private")]
    [InlineData("172.31.255.255", "private")]
    [InlineData("192.168.0.1", "private")]
    [InlineData("fd12::1", "private")]
    [InlineData("169.254.169.254", "link-local")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("0.0.0.0", "unspecified")]
    [InlineData("::", "unspecified")]
    [InlineData("239.1.1.1", "multicast")]
    [InlineData("ff02::1", "multicast")]
    [InlineData("255.255.255.255", "broadcast")]
    [InlineData("100.100.100.100", "carrier-grade")]
    [InlineData("::ffff:10.0.0.1", "private")]
    [InlineData("::ffff:127.0.0.1", "loopback")]
    [InlineData("::ffff:169.254.169.254", "link-local")]
    [InlineData("64:ff9b::7f00:1", "loopback")]
    [InlineData("2002:0a00:0001::", "private")]
    public void SpecialAddress_IsRefusedWithAReason(string address, string reason)
    {
        Assert.Contains(reason, _strict.Refusal("example.com", IPAddress.Parse(address)), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("93.184.215.14")]
    [InlineData("8.8.8.8")]
    [InlineData("172.32.0.1")]
    [InlineData("2606:4700::1111")]
    [InlineData("::ffff:8.8.8.8")]
    public void PublicAddress_IsAllowed(string address)
    {
        Assert.Null(_strict.Refusal("example.com", IPAddress.Parse(address)));
    }

    [Fact]
    public void AllowList_AcceptsCidrsAddressesAndHostNames()
    {
        var guard = new DocumentAddressGuard(["10.20.0.0/16", "127.0.0.1", "[fd00::5]", "docs.internal", "*.corp.example"]);

        Assert.Null(guard.Refusal("x", IPAddress.Parse("10.20.30.40")));
        Assert.NotNull(guard.Refusal("x", IPAddress.Parse("10.21.0.1")));
        Assert.Null(guard.Refusal("x", IPAddress.Parse("127.0.0.1")));
        Assert.Null(guard.Refusal("x", IPAddress.Parse("::ffff:127.0.0.1")));
        Assert.NotNull(guard.Refusal("x", IPAddress.Parse("127.0.0.2")));
        Assert.Null(guard.Refusal("x", IPAddress.Parse("fd00::5")));
        Assert.Null(guard.Refusal("DOCS.internal.", IPAddress.Parse("10.9.9.9")));
        Assert.Null(guard.Refusal("wiki.corp.example", IPAddress.Parse("192.168.1.1")));
        Assert.NotNull(guard.Refusal("corp.example.evil.com", IPAddress.Parse("192.168.1.1")));
        Assert.NotNull(guard.Refusal("evilcorp.example", IPAddress.Parse("192.168.1.1")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("10.0.0.1/8")]
    [InlineData("10.0.0.0/40")]
    [InlineData("not a host!")]
    public void BadAllowListEntry_IsRejected(string entry)
    {
        Assert.False(DocumentAddressGuard.TryParseEntry(entry, out _, out var problem));
        Assert.NotEmpty(problem);
        Assert.Throws<ArgumentException>(() => new DocumentAddressGuard([entry]));
    }
}
