using System.Text;
using ApiShield.Threats;

namespace ApiShield.Tests.Threats;

[TestFixture]
public sealed class PropertyNameSetTests
{
    private static ulong H(string name) => PropertyNameSet.Hash(Encoding.UTF8.GetBytes(name));

    [TestCase(3)]
    [TestCase(16)]
    [TestCase(17)]
    [TestCase(999)]
    public void Add_DuplicateAfterManyNames_Detected(int before)
    {
        var set = new PropertyNameSet();
        set.Reset(32);
        set.Open(1);
        for (var i = 0; i < before; i++)
        {
            Assert.That(set.Add(1, H("p" + i)), Is.True);
        }

        Assert.That(set.Add(1, H("p" + (before / 2))), Is.False);
    }

    [Test]
    public void Add_SameNameInNestedAndSiblingObjects_Allowed()
    {
        var set = new PropertyNameSet();
        set.Reset(32);
        set.Open(1);
        for (var i = 0; i < 40; i++)
        {
            set.Add(1, H("p" + i));
        }

        set.Open(2);
        Assert.That(set.Add(2, H("p1")), Is.True, "nested object has its own names");
        set.Close(2);
        set.Open(2);
        Assert.That(set.Add(2, H("p1")), Is.True, "a sibling object starts empty");
        set.Close(2);
        Assert.That(set.Add(1, H("p1")), Is.False, "the outer object still has its names");
        set.Close(1);
        set.Open(1);
        Assert.That(set.Add(1, H("p1")), Is.True, "a closed large object's names are dropped");
    }
}
