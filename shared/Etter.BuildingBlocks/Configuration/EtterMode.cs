namespace Etter.BuildingBlocks.Configuration;

public enum EtterMode
{
    Embedded,
    Distributed,
}
