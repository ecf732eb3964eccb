using Taifa.Grains.Security;
using Xunit;

namespace Taifa.Grains.Tests.Security;

public sealed class SmppPasswordVerifierTests
{
    private readonly SmppPasswordVerifier _verifier = new();

    [Fact]
    public void The_right_password_passes_again_and_again_and_a_wrong_one_never_does()
    {
        var stored = SmppPasswordHash.Hash("s3cret");
        Assert.True(_verifier.Verify("s3cret", stored));
        Assert.True(_verifier.Verify("s3cret", stored));
        Assert.False(_verifier.Verify("s3cret!", stored));
        Assert.False(_verifier.Verify("", stored));
        Assert.True(_verifier.Verify("s3cret", stored));
    }

    [Fact]
    public void A_password_remembered_for_one_hash_does_not_pass_against_a_changed_hash()
    {
        var before = SmppPasswordHash.Hash("old-pass");
        Assert.True(_verifier.Verify("old-pass", before));

        var after = SmppPasswordHash.Hash("new-pass");
        Assert.False(_verifier.Verify("old-pass", after));
        Assert.True(_verifier.Verify("new-pass", after));
        Assert.False(_verifier.Verify("new-pass", null));
    }
}
